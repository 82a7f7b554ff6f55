extension CBORWriter {
    /// Appends `v` as 8 big-endian bytes.
    @inlinable
    public mutating func appendBigEndian(_ v: UInt64) {
        // One append of 8 bytes, not 8 appends: a contact list is mostly these words.
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends `v` as 4 big-endian bytes.
    @inlinable
    public mutating func appendBigEndian(_ v: UInt32) {
        withUnsafeBytes(of: v.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// An address as a 21-byte string, written from the stack in one append (encoding a
    /// contact list must not allocate per field).
    @inlinable
    public mutating func bytes(_ a: Address) {
        bytes.append(0x55)  // byte string of 21
        a.withBytes { bytes.append(contentsOf: $0) }
    }

    /// A node ID or DHT key as a 32-byte string.
    @inlinable
    public mutating func bytes(_ id: NodeID) {
        bytes.append(0x58)
        bytes.append(32)
        withUnsafeBytes(of: (id.w0.bigEndian, id.w1.bigEndian, id.w2.bigEndian, id.w3.bigEndian)) { bytes.append(contentsOf: $0) }
    }
}

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

    /// An address as a 21-byte string, written straight from its inline words (encoding a
    /// contact list must not allocate per field).
    @inlinable
    public mutating func bytes(_ a: Address) {
        bytes.append(0x55)  // byte string of 21
        bytes.append(a.version)
        appendBigEndian(a.h0)
        appendBigEndian(a.h1)
        appendBigEndian(a.h2)
    }

    /// A node ID or DHT key as a 32-byte string.
    @inlinable
    public mutating func bytes(_ id: NodeID) {
        bytes.append(0x58)
        bytes.append(32)
        appendBigEndian(id.w0)
        appendBigEndian(id.w1)
        appendBigEndian(id.w2)
        appendBigEndian(id.w3)
    }
}

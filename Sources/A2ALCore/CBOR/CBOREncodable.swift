/// A value with one canonical CBOR encoding.
public protocol CBOREncodable {
    /// Appends the canonical encoding to `w`.
    func encode(to w: inout CBORWriter)
    /// A capacity guess for `encoded`, to avoid regrowing the buffer.
    var encodedSizeHint: Int { get }
}

extension CBOREncodable {
    public var encodedSizeHint: Int { 128 }

    /// The canonical bytes on their own.
    public var encoded: [UInt8] {
        var w = CBORWriter(capacity: encodedSizeHint)
        encode(to: &w)
        return w.bytes
    }
}

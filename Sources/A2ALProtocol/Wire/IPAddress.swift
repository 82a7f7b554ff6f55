import A2ALCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An IPv4 (4 bytes) or IPv6 (16 bytes) address as carried on the wire, stored inline.
public struct IPAddress: Hashable, Sendable, CustomStringConvertible {
    // The address as big-endian words; IPv4 lives in the low 32 bits of `lo`. The flag comes
    // after the words so an endpoint packs into 24 bytes instead of 32 (docs/routing.md §8.1).
    let hi: UInt64, lo: UInt64
    public let isIPv4: Bool

    public init?<C: RandomAccessCollection>(bytes: C) where C.Element == UInt8, C.Index == Int {
        let s = bytes.startIndex
        switch bytes.count {
        case 4:
            isIPv4 = true
            hi = 0
            lo = UInt64(bytes[s]) << 24 | UInt64(bytes[s + 1]) << 16 | UInt64(bytes[s + 2]) << 8 | UInt64(bytes[s + 3])
        case 16:
            isIPv4 = false
            var h: UInt64 = 0, l: UInt64 = 0
            for i in 0..<8 { h = h << 8 | UInt64(bytes[s + i]) }
            for i in 8..<16 { l = l << 8 | UInt64(bytes[s + i]) }
            hi = h
            lo = l
        default:
            return nil
        }
    }

    /// An IPv4 address from its 32-bit big-endian value (0x7f000001 is 127.0.0.1).
    public init(ipv4 value: UInt32) {
        isIPv4 = true
        hi = 0
        lo = UInt64(value)
    }

    /// Parses dotted IPv4 or RFC 4291 IPv6 text (brackets not accepted).
    public init?(text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            self.init(bytes: withUnsafeBytes(of: &v4) { Array($0) })
            return
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            self.init(bytes: withUnsafeBytes(of: &v6) { Array($0) })
            return
        }
        return nil
    }

    /// 4 bytes for IPv4, 16 for IPv6, in one allocation (answers encode one per contact).
    public var bytes: [UInt8] {
        if isIPv4 {
            return [UInt8](unsafeUninitializedCapacity: 4) { out, count in
                for i in 0..<4 { out[i] = UInt8(truncatingIfNeeded: lo >> UInt64(24 - 8 * i)) }
                count = 4
            }
        }
        return [UInt8](unsafeUninitializedCapacity: 16) { out, count in
            for i in 0..<8 {
                out[i] = UInt8(truncatingIfNeeded: hi >> UInt64(56 - 8 * i))
                out[8 + i] = UInt8(truncatingIfNeeded: lo >> UInt64(56 - 8 * i))
            }
            count = 16
        }
    }

    /// The first byte (of 4 or 16), without building `bytes`.
    public var firstByte: UInt8 {
        UInt8(truncatingIfNeeded: isIPv4 ? lo >> 24 : hi >> 56)
    }

    /// True for the all-zero address (0.0.0.0, ::).
    public var isUnspecified: Bool { hi == 0 && lo == 0 }

    /// True for ::1.
    public var isIPv6Loopback: Bool { !isIPv4 && hi == 0 && lo == 1 }

    /// True for ::ffff:a.b.c.d.
    public var isIPv4Mapped: Bool { !isIPv4 && hi == 0 && lo >> 32 == 0xffff }

    /// The 4-byte form of an IPv4 or IPv4-mapped IPv6 address, else nil.
    public var ipv4Bytes: [UInt8]? {
        if isIPv4 { return bytes }
        if isIPv4Mapped { return Array(bytes[12..<16]) }
        return nil
    }

    /// IPv4-mapped addresses collapsed to 4 bytes, as the reference writes them on the wire.
    public var normalized: IPAddress {
        isIPv4Mapped ? IPAddress(ipv4: UInt32(truncatingIfNeeded: lo)) : self
    }

    public var description: String {
        var buf = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let raw = bytes
        let family = isIPv4 ? AF_INET : AF_INET6
        let ok = raw.withUnsafeBytes { src in
            inet_ntop(family, src.baseAddress, &buf, socklen_t(buf.count)) != nil
        }
        guard ok else { return raw.hex }
        return String(decoding: buf.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

extension CBORWriter {
    /// An IP address as a 4- or 16-byte string, without materialising an array.
    mutating func bytes(_ ip: IPAddress) {
        if ip.isIPv4 {
            head(major: 2, 4)
            appendBigEndian(UInt32(truncatingIfNeeded: ip.lo))
        } else {
            head(major: 2, 16)
            appendBigEndian(ip.hi)
            appendBigEndian(ip.lo)
        }
    }
}

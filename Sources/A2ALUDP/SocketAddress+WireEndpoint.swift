#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import A2ALProtocol
import NIOCore

extension WireEndpoint {
    /// The endpoint of an IP socket address (`DatagramSource.swift` does the conversion); nil for
    /// Unix-domain addresses.
    init?(socketAddress: SocketAddress) {
        switch socketAddress {
        case .v4(let v4): self.init(v4.address)
        case .v6(let v6): self.init(v6.address)
        case .unixDomainSocket: return nil
        }
    }
}

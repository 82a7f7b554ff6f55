#if canImport(Glibc)
import Glibc
#endif
import A2ALUDP
import NIOCore

/// Why a listener could not be opened, in words ("address already in use"), for startup
/// errors that name the address themselves: NIO's own text names only the system call
/// (`bind(descriptor:ptr:bytes:): Address already in use) (errno: 98)`).
enum ListenFailure {
    static func reason(_ error: any Error) -> String {
        if let io = error as? IOError { return words(io.errnoCode) }
        if let udp = error as? UDPSocketError { return words(udp.errno) }
        return "\(error)"
    }

    private static func words(_ code: CInt) -> String { String(cString: strerror(code)).lowercased() }
}

import A2ALRPC

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SO_PEERCRED of an accepted Unix-socket connection: who is calling, as the kernel saw it at
/// connect time (so a client cannot claim another identity).
enum PeerCredentialsReader {
    /// Linux's `struct ucred`, declared here because Glibc exposes it only under _GNU_SOURCE.
    private struct UCred {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    /// The peer's credentials, or nil where the platform or the socket cannot tell.
    static func read(_ descriptor: CInt) -> PeerCredentials? {
        #if os(Linux)
        var credentials = UCred()
        var length = socklen_t(MemoryLayout<UCred>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_PEERCRED, &credentials, &length) == 0,
              Int(length) == MemoryLayout<UCred>.size else { return nil }
        return PeerCredentials(pid: credentials.pid, uid: credentials.uid, gid: credentials.gid)
        #else
        return nil
        #endif
    }
}

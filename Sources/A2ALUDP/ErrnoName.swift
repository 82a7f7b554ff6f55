#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Names of the errno values a UDP socket reports, for logs and `node.stats` ("ENETUNREACH"
/// says more to an operator than "101", and strerror's text is not thread-safe to fetch).
enum ErrnoName {
    static func of(_ code: CInt) -> String {
        switch code {
        case ENETUNREACH: return "ENETUNREACH"
        case EHOSTUNREACH: return "EHOSTUNREACH"
        case EACCES: return "EACCES"
        case EPERM: return "EPERM"
        case EINVAL: return "EINVAL"
        case EAFNOSUPPORT: return "EAFNOSUPPORT"
        case EADDRNOTAVAIL: return "EADDRNOTAVAIL"
        case EADDRINUSE: return "EADDRINUSE"
        case EAGAIN: return "EAGAIN"
        case ENOBUFS: return "ENOBUFS"
        case ENOMEM: return "ENOMEM"
        case EMSGSIZE: return "EMSGSIZE"
        case ECONNREFUSED: return "ECONNREFUSED"
        case ENETDOWN: return "ENETDOWN"
        case EBADF: return "EBADF"
        case EMFILE: return "EMFILE"
        case ENFILE: return "ENFILE"
        default: return "errno \(code)"
        }
    }
}

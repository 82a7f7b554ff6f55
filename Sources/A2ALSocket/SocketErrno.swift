#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Text for an errno value, for error messages a user reads.
enum SocketErrno {
    static func describe(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Resolves the socket's `group` option: a numeric gid is taken as is, anything else is looked
/// up as a group name.
enum SocketGroupLookup {
    static func gid(named name: String, path: String) throws(SocketServerError) -> gid_t {
        if let numeric = gid_t(name) { return numeric }
        guard !name.isEmpty, !name.utf8.contains(0) else {
            throw SocketServerError(path: path, reason: "invalid group \"\(name)\" for socket \(path)")
        }
        var entry = group()
        var found: UnsafeMutablePointer<group>? = nil
        var bufferSize = 1024
        // getgrnam_r reports ERANGE until the buffer holds the whole entry (member lists can be long).
        while true {
            var buffer = [CChar](repeating: 0, count: bufferSize)
            let code = getgrnam_r(name, &entry, &buffer, bufferSize, &found)
            if code == ERANGE, bufferSize < 1 << 24 {
                bufferSize *= 4
                continue
            }
            guard code == 0 else {
                throw SocketServerError(path: path, reason: "cannot look up group \"\(name)\" for socket \(path): "
                                        + SocketErrno.describe(code))
            }
            guard let found else {
                throw SocketServerError(path: path, reason: "unknown group \"\(name)\" for socket \(path)")
            }
            return found.pointee.gr_gid
        }
    }
}


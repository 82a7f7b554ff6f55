#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// systemd socket activation (`sd_listen_fds(3)`): the listening sockets a `.socket` unit
/// passed to this process.
package enum SystemdActivation {
    /// The first descriptor systemd passes (`SD_LISTEN_FDS_START`).
    static let firstDescriptor: CInt = 3
    /// More than this is a garbled variable, not a real unit.
    static let maxDescriptors: CInt = 4096

    /// The listening fds passed by systemd (LISTEN_PID == getpid(), LISTEN_FDS = n → fds
    /// 3..<3+n), or [] — and unsets the variables so children do not inherit them.
    package static func takeListenFDs() -> [CInt] {
        let descriptors = listenDescriptors(listenPID: environment("LISTEN_PID"),
                                            listenFDs: environment("LISTEN_FDS"),
                                            ownPID: getpid())
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_FDNAMES")
        // Like sd_listen_fds: the sockets are ours alone, not for programs we might start.
        return descriptors.filter { fcntl($0, F_SETFD, FD_CLOEXEC) == 0 }
    }

    /// The descriptors the variables announce, if they are addressed to `ownPID`.
    static func listenDescriptors(listenPID: String?, listenFDs: String?, ownPID: pid_t) -> [CInt] {
        guard let listenPID, let pid = pid_t(listenPID), pid == ownPID,
              let listenFDs, let count = CInt(listenFDs), count > 0, count <= maxDescriptors
        else { return [] }
        return Array(firstDescriptor..<(firstDescriptor + count))
    }

    private static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        return String(cString: value)
    }
}

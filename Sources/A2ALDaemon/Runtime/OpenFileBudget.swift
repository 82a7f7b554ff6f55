import A2ALSocket
import Foundation
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks the connection cap against the open-file limit (RLIMIT_NOFILE) at start
/// (docs/security.md, "Local clients"). Every served connection holds a descriptor; a cap the
/// limit can not hold means `accept` fails with EMFILE under load instead of the clean
/// `overloaded` refusal. The soft limit is raised towards the hard limit when that is enough;
/// otherwise the cap is lowered with a warning, and a limit too small for even one connection
/// is an error.
enum OpenFileBudget {
    /// Descriptors kept free beyond those open at start: files written atomically (a temp
    /// file and its directory), the peer cache, connections past the cap that are accepted
    /// only to be refused (up to `UnixSocketServer.acceptsPerWakeup` at once), name lookups.
    static let headroom = 32
    /// Each JSON-RPC socket loop holds an epoll set and an eventfd (`SocketLoop`).
    static let descriptorsPerSocketLoop = 2
    /// Connections the debug HTTP listener may hold when it is on (`DebugHTTPServer`'s cap).
    static let debugHTTPConnections = 64

    struct Plan: Equatable, Sendable {
        /// The connection cap to serve with.
        var maxConnections: Int
        /// The soft limit after any raise.
        var limit: Int
        /// Descriptors kept for everything but client connections, the socket loops' included.
        var reserved: Int
        /// JSON-RPC socket loop threads to run (`UnixSocketServer`).
        var socketLoops: Int
    }

    /// Applies the plan for this process (raising the soft limit if it helps) and logs what
    /// it changed. Throws when not even one connection fits.
    static func apply(maxConnections: Int, debugHTTP: Bool, metrics: Bool = false,
                      socketLoops: Int = UnixSocketServer.defaultThreads, logger: Logger) throws -> Plan {
        var current = rlimit()
        guard getrlimit(resource, &current) == 0 else {
            logger.warning("cannot read the open-file limit (RLIMIT_NOFILE); serving up to \(maxConnections) connections unchecked",
                           metadata: ["error": "\(String(cString: strerror(errno)))"])
            return Plan(maxConnections: maxConnections, limit: Int.max, reserved: 0, socketLoops: socketLoops)
        }
        let reserved = openDescriptors() + headroom + (debugHTTP ? debugHTTPConnections : 0)
            + (metrics ? MetricsHTTPServer.maxConnections : 0)
        let soft = clamp(current.rlim_cur)
        let hard = clamp(current.rlim_max)
        // The socket server opens its loops' epoll sets and eventfds after this check.
        let needed = reserved + descriptorsPerSocketLoop * socketLoops
        let wanted = min(hard, maxConnections > Int.max - needed ? Int.max : needed + maxConnections)
        var raisedFrom: Int?
        if wanted > soft {
            var raised = current
            raised.rlim_cur = rlim_t(wanted)
            if setrlimit(resource, &raised) == 0 { raisedFrom = soft }
        }
        let plan = plan(maxConnections: maxConnections, soft: raisedFrom == nil ? soft : wanted, reserved: reserved,
                        socketLoops: socketLoops)
        if let raisedFrom {
            logger.info("raised the open-file limit (RLIMIT_NOFILE)", metadata: ["from": "\(raisedFrom)", "to": "\(plan.limit)"])
        }
        guard plan.maxConnections >= 1 else {
            throw DaemonError("the open-file limit (RLIMIT_NOFILE, `ulimit -n`) is \(plan.limit), but the daemon keeps "
                              + "\(plan.reserved) descriptors for itself and needs one more per client connection; raise it")
        }
        if plan.maxConnections < maxConnections {
            let why = "the open-file limit (RLIMIT_NOFILE, `ulimit -n`) is \(plan.limit) and the daemon keeps "
                + "\(plan.reserved) descriptors for itself; raise the limit to serve more"
            logger.warning("max_connections lowered from \(maxConnections) to \(plan.maxConnections): \(why)")
        }
        if plan.socketLoops < socketLoops {
            logger.info("JSON-RPC socket loops cut from \(socketLoops) to \(plan.socketLoops) for want of file descriptors (RLIMIT_NOFILE \(plan.limit))")
        }
        return plan
    }

    /// The cap that fits `soft` descriptors when `reserved` are not for connections nor the
    /// socket loops (below 1: nothing fits). The loops take at most a quarter of what is left, so
    /// a tight limit serves its clients on fewer loops rather than refusing them.
    static func plan(maxConnections: Int, soft: Int, reserved: Int,
                     socketLoops wanted: Int = UnixSocketServer.defaultThreads) -> Plan {
        let free = soft - reserved
        let loops = max(1, min(wanted, free / (4 * descriptorsPerSocketLoop)))
        let forLoops = descriptorsPerSocketLoop * loops
        return Plan(maxConnections: min(maxConnections, free - forLoops), limit: soft, reserved: reserved + forLoops,
                    socketLoops: loops)
    }

    /// Descriptors open now (entries of /proc/self/fd, or /dev/fd elsewhere), not counting
    /// the one the listing itself holds; a guess of 16 where neither can be listed.
    static func openDescriptors() -> Int {
        for directory in ["/proc/self/fd", "/dev/fd"] {
            if let entries = try? FileManager.default.contentsOfDirectory(atPath: directory) {
                return max(0, entries.count - 1)
            }
        }
        return 16
    }

    private static func clamp(_ value: rlim_t) -> Int {
        value >= rlim_t(Int.max) ? Int.max : Int(value)
    }

    #if canImport(Glibc)
    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resource = RLIMIT_NOFILE
    #endif
}

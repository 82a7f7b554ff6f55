import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A child process started the way a shell or systemd would start a daemon: default signal
/// dispositions, nothing blocked, no inherited descriptors beyond stdin/stdout/stderr.
///
/// Foundation's `Process` passes on the test runner's signal mask, in which SIGTERM is
/// blocked, so a daemon started with it never sees SIGTERM; it also leaks the runner's other
/// descriptors (sockets of concurrent tests) into the child. Hence plain `posix_spawn`.
package final class ChildProcess: @unchecked Sendable {
    package let pid: pid_t
    /// Guards `waitStatus`: reaping happens once, from whichever thread asks first.
    private let lock = NSLock()
    private var waitStatus: Int32?

    /// Starts `executable` with stdin from /dev/null and stdout/stderr appended to the files.
    /// `ownProcessGroup` makes the child lead a new process group, so `signalGroup` reaches
    /// what it starts too (a shell running a daemon).
    package init(executable: String, arguments: [String], environment: [String: String],
         stdoutPath: String, stderrPath: String, ownProcessGroup: Bool = false) throws {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        Self.closeInheritedDescriptors(&actions)

        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if ownProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else {
            throw DaemonProcessError(description: "cannot run \(executable): \(String(cString: strerror(rc)))")
        }
        pid = child
    }

    /// glibc ≥ 2.34 closes every descriptor from 3 up in the child. The function is declared
    /// only under _GNU_SOURCE, which Swift's Glibc module does not set, so it is looked up by
    /// name; without it, descriptors the runner opened without CLOEXEC would leak.
    private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
        typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
        guard let symbol = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np") else { return }
        _ = unsafeBitCast(symbol, to: AddCloseFrom.self)(&actions, 3)
    }

    deinit {
        if isRunning {
            kill(pid, SIGKILL)
            _ = waitForExit(timeout: .seconds(5))
        }
    }

    /// Reaps the child if it has ended; never blocks.
    package var isRunning: Bool {
        lock.lock(); defer { lock.unlock() }
        return reap(blocking: false) == nil
    }

    package func signal(_ sig: Int32) {
        if isRunning { kill(pid, sig) }
    }

    /// Signals the child's whole process group (see `ownProcessGroup`), even after the child
    /// itself exited: what it started may still run.
    package func signalGroup(_ sig: Int32) {
        kill(-pid, sig)
    }

    /// Polls until the child has ended or `timeout` passes; true when it ended.
    package func waitForExit(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            if ContinuousClock.now >= deadline { return false }
            usleep(10_000)
        }
        return true
    }

    /// The exit status of a child that exited normally.
    package var exitStatus: Int32? {
        lock.lock(); defer { lock.unlock() }
        guard let s = reap(blocking: false), s & 0x7f == 0 else { return nil }
        return (s >> 8) & 0xff
    }

    /// The signal that ended the child, if one did.
    package var terminatingSignal: Int32? {
        lock.lock(); defer { lock.unlock() }
        guard let s = reap(blocking: false), s & 0x7f != 0, s & 0x7f != 0x7f else { return nil }
        return s & 0x7f
    }

    /// "exited with status N", "was killed by signal N" or "is still running".
    package var exitDescription: String {
        if let code = exitStatus { return "exited with status \(code)" }
        if let sig = terminatingSignal { return "was killed by signal \(sig)" }
        return "is still running"
    }

    /// The raw wait status once the child has ended. Call with `lock` held.
    private func reap(blocking: Bool) -> Int32? {
        if let waitStatus { return waitStatus }
        var status: Int32 = 0
        while true {
            let r = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if r == pid { waitStatus = status; return status }
            if r == 0 { return nil }
            if errno == EINTR { continue }
            // ECHILD: already reaped elsewhere; treat as ended with an unknown status.
            waitStatus = 0x7f00
            return waitStatus
        }
    }
}

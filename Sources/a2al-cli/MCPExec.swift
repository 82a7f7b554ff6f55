#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `a2al-cli mcp [ARG ...]` runs `a2al-mcp ARG ...` in place of the CLI (docs/mcp.md): the MCP
/// server, found beside this executable (both are built together), else on PATH. No method
/// is named `mcp` (methods are dotted or the connection words of docs/jsonrpc.md), so the
/// word cannot shadow one.
enum MCPExec {
    static let word = "mcp"

    /// Replaces the process with a2al-mcp; returns only when that failed, with the reason.
    static func exec(_ arguments: [String]) -> String {
        let candidates = [siblingPath(), "a2al-mcp"].compactMap { $0 }
        var reasons: [String] = []
        for path in candidates {
            let argv = (["a2al-mcp"] + arguments).map { strdup($0) } + [nil]
            // execv for the sibling (an exact path); execvp searches PATH for the bare name.
            if path.hasPrefix("/") { execv(path, argv) } else { execvp(path, argv) }
            reasons.append("\(path): \(String(cString: strerror(errno)))")
            argv.forEach { free($0) }
        }
        return "cannot run a2al-mcp (\(reasons.joined(separator: "; ")))"
    }

    /// `a2al-mcp` in the directory of the running executable (/proc/self/exe).
    private static func siblingPath() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        let exe = String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = exe.lastIndex(of: "/") else { return nil }
        return String(exe[...slash]) + "a2al-mcp"
    }
}

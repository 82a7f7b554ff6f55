/// What the command line asked for, before any parameter is typed.
struct CLIInvocation: Equatable {
    /// The longest `--timeout` accepted (about 31 years): any longer one would overflow the
    /// millisecond deadline, and no call or stream needs it.
    static let maxTimeoutSeconds: Double = 1_000_000_000

    var socketPath: String?
    /// Compact one-line JSON instead of indented output.
    var raw = false
    /// The local deadline (calls) or how long to stream (subscribe), in seconds.
    var timeoutSeconds: Double?
    /// `subscribe`: stop after this many events.
    var count: Int?
    var help = false
    /// `--version`: print the CLI's version and exit 0.
    var version = false
    /// `--print-socket`: print the socket path the CLI would use and exit 0.
    var printSocket = false
    /// The first word that is not an option; nil with only options (prints the help).
    var method: String?
    /// The words after the method: `key=value`, `key:=JSON`, a JSON object, or `-` (stdin).
    var paramWords: [String] = []

    /// Parses argv (without the program name). Options may come anywhere before `--`; the
    /// first other word is the method and the rest are parameter words. A word starting
    /// with `-` after the method is still an option (`a2al-cli node.info --raw`); `-` alone
    /// and words after `--` are parameters.
    static func parse(_ args: [String]) throws(CLIUsageError) -> CLIInvocation {
        var out = CLIInvocation()
        var i = 0
        var optionsEnded = false
        func value(for option: String, inline: String?) throws(CLIUsageError) -> String {
            if let inline { return inline }
            i += 1
            guard i < args.count else { throw CLIUsageError("\(option) needs a value") }
            return args[i]
        }
        while i < args.count {
            let word = args[i]
            defer { i += 1 }
            if optionsEnded || word == "-" || !word.hasPrefix("-") {
                if out.method == nil { out.method = word } else { out.paramWords.append(word) }
                continue
            }
            if word == "--" { optionsEnded = true; continue }
            let (name, inline) = splitInline(word)
            switch name {
            case "-h", "--help":
                guard inline == nil else { throw CLIUsageError("\(name) takes no value, not \(quoted(word))") }
                out.help = true
            case "-V", "--version", "--print-socket":
                guard inline == nil else { throw CLIUsageError("\(name) takes no value, not \(quoted(word))") }
                if name == "--print-socket" { out.printSocket = true } else { out.version = true }
            case "-r", "--raw":
                guard inline == nil else { throw CLIUsageError("\(name) takes no value, not \(quoted(word))") }
                out.raw = true
            case "-s", "--socket":
                let v = try value(for: name, inline: inline)
                guard !v.isEmpty else { throw CLIUsageError("--socket needs a path") }
                out.socketPath = v
            case "-t", "--timeout":
                let v = try value(for: name, inline: inline)
                // The upper bound keeps the deadline in milliseconds within Int64.
                guard let s = Double(v), s > 0, s <= maxTimeoutSeconds else {
                    throw CLIUsageError("--timeout wants seconds > 0 and at most \(Int(maxTimeoutSeconds)), not \(quoted(v))")
                }
                out.timeoutSeconds = s
            case "-n", "--count":
                let v = try value(for: name, inline: inline)
                guard let n = Int(v), n > 0 else { throw CLIUsageError("--count wants a whole number > 0, not \(quoted(v))") }
                out.count = n
            default:
                throw CLIUsageError("unknown option \(word) (see a2al-cli --help)")
            }
        }
        return out
    }

    /// `--socket=/x` → ("--socket", "/x"); short options take no inline value.
    private static func splitInline(_ word: String) -> (String, String?) {
        guard word.hasPrefix("--"), let eq = word.firstIndex(of: "=") else { return (word, nil) }
        return (String(word[..<eq]), String(word[word.index(after: eq)...]))
    }
}

/// A command line that cannot be run; exits with `CLIExitCode.usage`.
struct CLIUsageError: Error, Equatable, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

func quoted(_ s: String) -> String { "'\(s)'" }

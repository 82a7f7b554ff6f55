import A2ALRPC

/// The text of `a2al-cli --help` and `a2al-cli METHOD --help`.
enum HelpText {
    static let usage = """
    usage: a2al-cli [options] METHOD [PARAM ...]
           a2al-cli METHOD --help          describe one method
           a2al-cli help [METHOD]          the daemon's methods, or one method (exit 7 when
                                           the daemon does not answer)
           a2al-cli --help                 this text and the daemon's methods
           a2al-cli --version              the CLI's version
           a2al-cli --print-socket         the socket path it would use, then exit

    Calls one JSON-RPC method of the a2ald daemon and prints its result as JSON.
    `subscribe event=NAME` prints events as they arrive until interrupted (Ctrl-C).

    PARAM:
      key=value      a string, or the number/boolean/JSON the parameter's schema wants
                     (limit=5 is a number, topic=42 a string)
      key:=JSON      always JSON: peers:='["203.0.113.7:4121"]'  ttl_s:=600
      '{...}'        a whole params object
      -              a params object read from standard input

    options:
      -s, --socket PATH   the daemon's socket (default: $A2AL_SOCKET, else /run/a2al.sock as
                          root, else $XDG_RUNTIME_DIR/a2al.sock, else /tmp/a2al-<euid>/a2al.sock)
      -r, --raw           compact one-line JSON (events: one per line), for scripts and jq
      -t, --timeout SEC   give up after SEC seconds (default: the call's timeout_ms + 5 s, or
                          30 s); with subscribe: stream for SEC seconds, then exit
      -n, --count N       with subscribe: exit after N events
      -h, --help          help
      -V, --version       print the version and exit
      --print-socket      print the socket path (as resolved from the options and environment)

    exit status:
    """

    static func general(catalog: MethodCatalog?, socketPath: String, unreachable: String?) -> String {
        var out = usage + "\n" + CLIExitCode.allCases.map(\.helpLine).joined(separator: "\n") + "\n"
        guard let catalog else {
            out += "\nmethods: the daemon at \(socketPath) did not answer (\(unreachable ?? "unknown reason")),\n"
            out += "so its methods cannot be listed. Start it (a2ald) or pass --socket.\n"
            return out
        }
        out += "\n" + methodList(catalog: catalog, socketPath: socketPath)
        return out
    }

    /// The daemon's methods by namespace, then its events.
    static func methodList(catalog: MethodCatalog, socketPath: String) -> String {
        var out = ""
        out += "methods (from rpc.discover at \(socketPath)):\n"
        let width = (catalog.methods.map(\.name.count).max() ?? 0) + 2
        var lastNamespace = ""
        for m in catalog.methods {
            // `subscribe` and `unsubscribe` have no namespace; they form their own group.
            let namespace = m.name.contains(".") ? String(m.name.prefix { $0 != "." }) : "-"
            if namespace != lastNamespace, !lastNamespace.isEmpty { out += "\n" }
            lastNamespace = namespace
            out += "  " + m.name.padding(to: width) + m.summary + "\n"
        }
        if !catalog.events.isEmpty {
            out += "\nevents (a2al-cli subscribe event=NAME):\n"
            let w = (catalog.events.map(\.name.count).max() ?? 0) + 2
            for e in catalog.events { out += "  " + e.name.padding(to: w) + e.description + "\n" }
        }
        return out
    }

    static func method(_ m: MethodCatalog.Method, catalog: MethodCatalog) -> String {
        var out = "\(m.name) — \(m.summary)\n"
        if !m.description.isEmpty { out += "\n\(m.description)\n" }
        if m.params.isEmpty {
            out += "\nparams: none\n"
        } else {
            out += "\nparams:\n"
            for p in m.params {
                out += "  \(p.name) (\(catalog.typeText(p.schema))\(p.required ? ", required" : ""))"
                if let d = p.schema["default"] { out += " [default \(d.compactText)]" }
                out += "\n"
                if !p.description.isEmpty { out += "      \(p.description)\n" }
            }
        }
        if !m.errors.isEmpty {
            out += "\nerrors:\n"
            for e in m.errors { out += "  \(e.code)  \(e.message)\n" }
        }
        if let ex = m.example {
            out += "\nexample:\n  " + commandLine(method: m.name, params: ex) + "\n"
        }
        return out
    }

    /// A command line that sends `params` (strings as key=value, the rest as key:=JSON).
    static func commandLine(method: String, params: JSONObject) -> String {
        var words = ["a2al-cli", method]
        for (k, v) in params {
            if case .string(let s) = v { words.append(shellQuoted("\(k)=\(s)")) } else { words.append(shellQuoted("\(k):=\(v.compactText)")) }
        }
        return words.joined(separator: " ")
    }

    static func shellQuoted(_ word: String) -> String {
        let plain = word.unicodeScalars.allSatisfy { c in
            ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || "_-.:=/@,+%".unicodeScalars.contains(c)
        }
        return plain ? word : "'" + word.replacingAll("'", with: "'\\''") + "'"
    }
}

extension String {
    func padding(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }

    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}

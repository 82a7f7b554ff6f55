import A2ALClient
import A2ALRPC

/// `a2al-cli help [METHOD]` (docs/cli.md): the method list, or one method's params, from the
/// daemon's `rpc.discover`. Unlike `--help`, which always prints the usage, this needs the
/// daemon: when it does not answer the CLI says so and exits 7; an unknown method exits 2
/// with the closest names.
enum HelpCommand {
    static func run(words: [String], socket: String) async -> CLIExitCode {
        guard words.count <= 1 else {
            TerminalOutput.err("a2al-cli: help takes at most one method name, got \(words.count) words\n")
            return .usage
        }
        let catalog: MethodCatalog
        do {
            let client = try await A2ALClient.connect(to: socket)
            catalog = MethodCatalog(document: try await client.discover())
        } catch let error as A2ALClientError {
            TerminalOutput.err("a2al-cli: help: the daemon at \(socket) did not answer (\(error)); "
                               + "start it (a2ald) or pass --socket\n")
            return CLIExitCode.of(error)
        } catch {
            TerminalOutput.err("a2al-cli: help: \(error)\n")
            return .failure
        }
        guard let name = words.first else {
            TerminalOutput.out(HelpText.methodList(catalog: catalog, socketPath: socket))
            return .success
        }
        guard let method = catalog.method(named: name) else {
            let close = NameSuggestions.closest(to: name, among: catalog.methods.map(\.name))
            let hint = close.isEmpty ? "" : " (did you mean \(close.joined(separator: ", "))?)"
            TerminalOutput.err("a2al-cli: help: the daemon has no method \(name)\(hint); a2al-cli help lists them\n")
            return .usage
        }
        TerminalOutput.out(HelpText.method(method, catalog: catalog))
        return .success
    }
}

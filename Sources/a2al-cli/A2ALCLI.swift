import A2ALClient
import A2ALRPC
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `a2al-cli METHOD [PARAM ...]`: one JSON-RPC call to a2ald, its result on stdout, errors on
/// stderr, and an exit status per class of failure (`CLIExitCode`).
@main
enum A2ALCLI {
    static func main() async {
        let code = await run(Array(CommandLine.arguments.dropFirst()))
        exit(code.rawValue)
    }

    static func run(_ args: [String]) async -> CLIExitCode {
        if args.first == MCPExec.word {
            TerminalOutput.err("a2al-cli: \(MCPExec.exec(Array(args.dropFirst())))\n")
            return .failure
        }
        let invocation: CLIInvocation
        do {
            invocation = try CLIInvocation.parse(args)
        } catch {
            TerminalOutput.err("a2al-cli: \(error)\n")
            return .usage
        }
        let socket = invocation.socketPath ?? A2ALSocketPath.resolveDefault()
        if invocation.version {
            TerminalOutput.out("a2al-cli \(CLIVersion.string)\n")
            return .success
        }
        if invocation.printSocket {
            TerminalOutput.out(socket + "\n")
            return .success
        }
        // `a2al-cli help [METHOD]`: the daemon's own description, or a clear refusal.
        if invocation.method == "help" {
            return await HelpCommand.run(words: invocation.paramWords, socket: socket)
        }
        let words: ParamWords
        do {
            words = try ParamWords(invocation.paramWords)
        } catch {
            TerminalOutput.err("a2al-cli: \(error)\n")
            return .usage
        }
        guard let method = invocation.method else {
            // Bare `a2al-cli` is a mistake worth explaining; `--help` is a request.
            let text = await generalHelp(socket: socket)
            if invocation.help { TerminalOutput.out(text); return .success }
            TerminalOutput.err(text)
            return .usage
        }

        let client: A2ALClient
        do {
            client = try await A2ALClient.connect(to: socket)
        } catch {
            return fail(error, method: method, raw: invocation.raw)
        }
        // Nothing closes the client: the process exits right after, which ends the connection.
        if invocation.help { return await methodHelp(method, client: client) }

        do {
            let catalog = words.needsSchema ? try? await MethodCatalog(document: client.discover()) : nil
            let params = try words.build(allowedTypes: { catalog?.allowedTypes(method: method, param: $0) },
                                         stdin: StdinParams.read)
            let timeout = invocation.timeoutSeconds.map { Duration.milliseconds(Int64(($0 * 1000).rounded(.up))) }
            if method == "subscribe" {
                return try await SubscriptionStream.run(client: client, params: params, timeout: timeout,
                                                        count: invocation.count, raw: invocation.raw)
            }
            let result = try await client.call(method, params, timeout: timeout)
            TerminalOutput.out(TerminalOutput.json(result, raw: invocation.raw))
            return .success
        } catch let usage as CLIUsageError {
            TerminalOutput.err("a2al-cli: \(usage)\n")
            return .usage
        } catch {
            return fail(error, method: method, raw: invocation.raw)
        }
    }

    /// Reports an error on stderr and picks the exit status.
    static func fail(_ error: any Error, method: String, raw: Bool) -> CLIExitCode {
        guard let clientError = error as? A2ALClientError else {
            TerminalOutput.err("a2al-cli: \(method): \(error)\n")
            return .failure
        }
        if case .rpc(let e) = clientError {
            if raw {
                TerminalOutput.err(e.json.compactText + "\n")
            } else {
                var text = "a2al-cli: \(method): [\(e.code)] \(e.message)\n"
                if let data = e.data { text += "  data: \(data.compactText)\n" }
                if e.code == RPCError.methodNotFoundCode { text += "  (a2al-cli --help lists the methods)\n" }
                TerminalOutput.err(text)
            }
        } else {
            TerminalOutput.err("a2al-cli: \(method): \(clientError)\n")
        }
        return CLIExitCode.of(clientError)
    }

    private static func generalHelp(socket: String) async -> String {
        do {
            let client = try await A2ALClient.connect(to: socket)
            let doc = try await client.discover()
            return HelpText.general(catalog: MethodCatalog(document: doc), socketPath: socket, unreachable: nil)
        } catch {
            return HelpText.general(catalog: nil, socketPath: socket, unreachable: "\(error)")
        }
    }

    private static func methodHelp(_ method: String, client: A2ALClient) async -> CLIExitCode {
        do {
            let catalog = MethodCatalog(document: try await client.discover())
            guard let m = catalog.method(named: method) else {
                TerminalOutput.err("a2al-cli: the daemon has no method \(method) (a2al-cli --help lists them)\n")
                return .usage
            }
            TerminalOutput.out(HelpText.method(m, catalog: catalog))
            return .success
        } catch {
            return fail(error, method: "rpc.discover", raw: false)
        }
    }
}

import A2ALClient
import A2ALRPC

/// `a2al-cli subscribe event=NAME`: prints events until interrupted, `--count` events, or
/// `--timeout` seconds.
enum SubscriptionStream {
    private enum End {
        case countReached, interrupted, deadline
        case failed(any Error)
        case streamEnded
    }

    static func run(client: A2ALClient, params: JSONObject, timeout: Duration?, count: Int?, raw: Bool) async throws -> CLIExitCode {
        guard let event = params["event"]?.stringValue, params.count == 1 else {
            throw CLIUsageError("subscribe takes exactly event=NAME (a2al-cli --help lists the events)")
        }
        let interrupts = SignalEvents.interrupts()
        let subscription = try await client.subscribe(to: event)
        if TerminalOutput.stderrIsTerminal {
            TerminalOutput.err("subscribed to \(event) (subscription \(subscription.id)); Ctrl-C to stop\n")
        }
        let end = await withTaskGroup(of: End.self) { group -> End in
            group.addTask {
                var seen = 0
                do {
                    for try await e in subscription {
                        TerminalOutput.out(TerminalOutput.json(e.result, raw: raw))
                        seen += 1
                        if let count, seen >= count { return .countReached }
                    }
                    return Task.isCancelled ? .interrupted : .streamEnded
                } catch {
                    return .failed(error)
                }
            }
            group.addTask {
                for await _ in interrupts { return .interrupted }
                return .interrupted
            }
            if let timeout {
                group.addTask {
                    do { try await Task.sleep(for: timeout) } catch { return .interrupted }
                    return .deadline
                }
            }
            let first = await group.next() ?? .interrupted
            group.cancelAll()
            return first
        }
        try? await subscription.cancel()
        switch end {
        case .countReached, .interrupted:
            return .success
        case .deadline:
            guard let count else { return .success }
            TerminalOutput.err("a2al-cli: subscribe: fewer than \(count) \(event) events within \(timeout.map(secondsText) ?? "the deadline")\n")
            return .timeout
        case .streamEnded:
            TerminalOutput.err("a2al-cli: subscribe: the subscription ended\n")
            return .subscriptionEnded
        case .failed(let error):
            throw error
        }
    }

    private static func secondsText(_ d: Duration) -> String {
        let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        return ms % 1000 == 0 ? "\(ms / 1000) s" : "\(Double(ms) / 1000) s"
    }
}

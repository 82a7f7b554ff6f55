/// The mutable state of one `RPCSession`, kept under the session's lock: the in-flight count,
/// the tasks to cancel on close, and the replies still owed, which shutdown answers with
/// `unavailable` (docs/jsonrpc.md, "Errors").
struct RPCSessionState: Sendable {
    enum Admission: Equatable {
        /// Places reserved; the task registers under `key`.
        case admitted(key: UInt64)
        /// Not enough free places: the calls fail with `overloaded`.
        case overloaded
        /// The connection is closed or shutting down: nothing more is run or answered.
        case refused
    }

    var inFlight = 0
    /// Tasks spawned and not yet finished (a batch is one task).
    var activeTasks = 0
    var closed = false
    /// Shutdown answered every owed reply: nothing more runs or is answered.
    var shuttingDown = false
    /// The client half-closed: no more requests will come.
    var inputEnded = false
    var nextKey: UInt64 = 0
    var tasks: [UInt64: Task<Void, Never>] = [:]
    /// Keys of tasks that finished before `spawn` got to register them.
    var finishedBeforeRegistered: Set<UInt64> = []
    /// The id of each running single call that is owed a reply (notifications owe none).
    var owedSingles: [UInt64: JSONValue] = [:]
    /// Each running batch's replies so far and the entries still running.
    var owedBatches: [UInt64: BatchReplies] = [:]

    /// Calls are still run and answered: the connection is neither closed nor shutting down.
    var runsCalls: Bool { !closed && !shuttingDown }

    /// Reserves `count` in-flight places, all or none: a batch runs entirely or is refused
    /// entirely, never cut in two by the cap (docs/jsonrpc.md, "Framing and protocol").
    mutating func admit(_ count: Int, limit: Int) -> Admission {
        guard runsCalls else { return .refused }
        guard inFlight + count <= limit else { return .overloaded }
        inFlight += count
        activeTasks += 1
        nextKey += 1
        return .admitted(key: nextKey)
    }

    mutating func finish(_ key: UInt64, slots: Int) {
        inFlight -= slots
        activeTasks -= 1
        if tasks.removeValue(forKey: key) == nil && !closed { finishedBeforeRegistered.insert(key) }
    }

    /// Every owed reply answered with `error`, as lines to send; nothing is owed afterwards,
    /// so a call finishing later finds nothing to answer.
    mutating func answerAllOwed(with error: RPCError) -> [[UInt8]] {
        var lines = owedSingles.values.map { RPCReply.line(id: $0, error: error) }
        for batch in owedBatches.values {
            if let line = batch.finished(answeringRunningWith: error) { lines.append(line) }
        }
        owedSingles = [:]
        owedBatches = [:]
        return lines
    }
}

/// The replies of one batch being assembled, in request order.
struct BatchReplies: Sendable {
    /// One slot per entry; nil for a notification or an entry still running.
    var lines: [[UInt8]?]
    /// Entries still running, by index, with the id each will be answered under (nil for a
    /// notification).
    var running: [Int: JSONValue?]

    mutating func complete(_ index: Int, line: [UInt8]?) {
        lines[index] = line
        running[index] = nil
    }

    /// The batch's reply line with every entry still running answered with `error` (nil when
    /// nothing in it is owed a reply: only notifications).
    func finished(answeringRunningWith error: RPCError?) -> [UInt8]? {
        var all = lines
        if let error {
            for case let (index, id?) in running { all[index] = RPCReply.line(id: id, error: error) }
        }
        let present = all.compactMap { $0 }
        return present.isEmpty ? nil : RPCReply.batch(present)
    }
}

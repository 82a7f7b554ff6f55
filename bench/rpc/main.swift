// JSON-RPC benchmark: `node.info` round trips per second over the daemon's Unix socket on 1 and
// 16 connections, next to a baseline that shares no code with the daemon: a newline echo
// written directly on POSIX calls (PosixEcho.swift, one blocking thread per connection). Also
// reported, for attribution only: a line echo on the daemon's own socket layer (same framing and
// event loop, no JSON-RPC). Each client thread sends one line and waits for its reply (no
// pipelining). Prints one JSON object with its configuration.
// Also reported: `in_process_ns_per_call`, one `node.info` through the JSON-RPC layer alone (no
// socket). `--in-process-only` prints just that, for profiling.
// The daemon's routing table holds `--contacts N` made-up contacts (default 200, like a joined
// node's table): `node.info` counts its good peers by walking the table, so an empty one would
// flatter it.
// Usage: a2al-bench-rpc [--seconds S] [--contacts N] [--metrics] [--in-process-only]   (build with -c release)
#if canImport(Glibc)
import Glibc
#endif
import A2ALCore
import A2ALDaemon
import A2ALDHT
import A2ALProtocol
import A2ALRPC
import A2ALSocket
import Foundation
import Logging
import Synchronization

func argument(_ name: String) -> String? {
    CommandLine.arguments.firstIndex(of: name).flatMap { i in
        i + 1 < CommandLine.arguments.count ? CommandLine.arguments[i + 1] : nil
    }
}
let seconds = argument("--seconds").flatMap(Double.init) ?? 3.0
// At most 65,536 (their addresses are 10.0.x.y), at least none.
let contacts = min(max(argument("--contacts").flatMap(Int.init) ?? 200, 0), 65_536)

/// Echoes every line back on the project's socket layer (attribution, not the baseline).
final class EchoReceiver: LineReceiver, @unchecked Sendable {
    let sink: any LineSink
    init(sink: any LineSink) { self.sink = sink }
    func receive(line: [UInt8]) { sink.send(line) }
    func lineTooLong(limit: Int) { sink.close() }
    func connectionClosed() {}
}

/// A blocking client on one connection.
final class Client {
    let fd: Int32
    var buffer = [UInt8](repeating: 0, count: 65536)
    var pending: [UInt8] = []

    init?(path: String) {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, b) in bytes.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        let ok = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard ok == 0 else { close(fd); return nil }
    }

    func roundTrip(_ line: [UInt8]) -> Bool {
        var sent = 0
        while sent < line.count {
            let n = line[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return false }
            sent += n
        }
        while true {
            if let nl = pending.firstIndex(of: 10) {
                pending.removeSubrange(...nl)
                return true
            }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return false }
            pending += buffer[..<n]
        }
    }

    deinit { close(fd) }
}

struct RunResult: Sendable {
    var roundTrips = 0
    var seconds = 0.0
    var latenciesUs: [Double] = []
    var failures = 0
}

/// `connections` threads doing round trips for `duration` seconds.
func measure(path: String, connections: Int, line: [UInt8], duration: Double) -> RunResult {
    let total = Mutex(RunResult())
    let group = DispatchGroup()
    for _ in 0..<connections {
        group.enter()
        Thread.detachNewThread {
            var local = RunResult()
            if let c = Client(path: path) {
                // Warm-up: the first calls pay for lazy initialisation.
                for _ in 0..<50 { _ = c.roundTrip(line) }
                let begin = Date()
                while Date().timeIntervalSince(begin) < duration {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    if c.roundTrip(line) {
                        local.roundTrips += 1
                        local.latenciesUs.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1000)
                    } else {
                        local.failures += 1
                        break
                    }
                }
            } else {
                local.failures += 1
            }
            total.withLock { t in
                t.roundTrips += local.roundTrips
                t.failures += local.failures
                t.latenciesUs += local.latenciesUs
            }
            group.leave()
        }
    }
    group.wait()
    var result = total.withLock { $0 }
    result.seconds = duration
    return result
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

func report(_ r: RunResult) -> JSONValue {
    let s = r.latenciesUs.sorted()
    return .object([
        "round_trips_per_s": .double((Double(r.roundTrips) / r.seconds).rounded()),
        "p50_us": .double(percentile(s, 0.5).rounded()), "p99_us": .double(percentile(s, 0.99).rounded()),
        "round_trips": .integer(r.roundTrips), "failures": .integer(r.failures),
    ])
}

LoggingSystem.bootstrap { label in
    var h = StreamLogHandler.standardError(label: label)
    h.logLevel = .error
    return h
}
let logger = Logger(label: "bench")
let dir = "/tmp/a2al-bench-rpc-\(getpid())"
var config = DaemonConfig(dataDir: dir + "/data", socketPath: dir + "/d.sock")
config.listen = "127.0.0.1:0"
config.logLevel = "error"
// `--metrics`: the same run with the Prometheus listener on, so every call is also counted and
// timed (docs/metrics.md); compare with a run without it for the cost of that.
if CommandLine.arguments.contains("--metrics") { config.metrics = "127.0.0.1:0" }
let daemon = try await Daemon.start(config: config, logger: logger)
// Private addresses, so the per-prefix routing limits (docs/security.md) let all of them in.
for i in 0..<contacts {
    let endpoint = WireEndpoint(ip: IPAddress(ipv4: 0x0a00_0000 + UInt32(i)), port: 4000)
    daemon.node.addContact(.udp(endpoint), info: NodeInfo(address: Ed25519.KeyPair.generate().address, endpoint: endpoint))
}
let routingEntries = daemon.node.summary().routingTableSize
guard let posixEcho = PosixEchoServer(path: dir + "/posix-echo.sock") else { fatalError("cannot start the POSIX echo server") }
let echo = try await UnixSocketServer.start(options: UnixSocketOptions(path: dir + "/echo.sock"),
                                            logger: logger, overCapacityLine: Array("{}".utf8),
                                            accept: { _, sink in EchoReceiver(sink: sink) })

let request = Array(#"{"jsonrpc":"2.0","id":1,"method":"node.info"}"#.utf8) + [10]
let inProcessNs = await inProcessNanosPerCall(service: daemon.service, line: Array(request.dropLast()), calls: 200_000)
// `--in-process-only`: just that figure, for profiling the JSON-RPC layer without sockets.
if CommandLine.arguments.contains("--in-process-only") {
    print(JSONWriter.pretty(.object(["in_process_ns_per_call": .double(inProcessNs.rounded())])))
    await daemon.shutdown()
    exit(0)
}
var results: [(String, JSONValue)] = []
var ratios: [(String, JSONValue)] = []
var layerRatios: [(String, JSONValue)] = []
let connectionCounts = [1, 16]
let rounds = 3
for connections in connectionCounts {
    // Interleave baseline and daemon rounds so drift on a shared machine hits all alike.
    var base = RunResult(), layer = RunResult(), rpc = RunResult()
    var readAlone = 0
    func add(_ r: RunResult, to total: inout RunResult) {
        total.roundTrips += r.roundTrips; total.seconds += r.seconds
        total.latenciesUs += r.latenciesUs; total.failures += r.failures
    }
    for _ in 0..<rounds {
        add(measure(path: posixEcho.path, connections: connections, line: request, duration: seconds / Double(rounds)), to: &base)
        add(measure(path: dir + "/echo.sock", connections: connections, line: request, duration: seconds / Double(rounds)), to: &layer)
        let aloneBefore = daemon.socketReadsWhileAlone
        add(measure(path: dir + "/d.sock", connections: connections, line: request, duration: seconds / Double(rounds)), to: &rpc)
        readAlone += daemon.socketReadsWhileAlone - aloneBefore
    }
    results.append(("connections_\(connections)", .object([
        "posix_echo_baseline": report(base), "project_socket_line_echo": report(layer), "jsonrpc_node_info": report(rpc),
        // Of the daemon's requests, the share its loops read while waiting on their one client
        // in recv rather than in epoll_wait (docs/architecture.md, "The JSON-RPC socket").
        "daemon_share_read_waiting_alone": .double((Double(readAlone) / Double(max(rpc.roundTrips, 1)) * 1000).rounded() / 1000),
    ])))
    let ratio = Double(rpc.roundTrips) / Double(max(base.roundTrips, 1))
    let layerRatio = Double(rpc.roundTrips) / Double(max(layer.roundTrips, 1))
    ratios.append(("connections_\(connections)", .double((ratio * 1000).rounded() / 1000)))
    layerRatios.append(("connections_\(connections)", .double((layerRatio * 1000).rounded() / 1000)))
}
// The loop counts the servers ran with, read before they stop (the daemon's may be cut by a tight
// open-file limit).
let daemonSocketThreads = daemon.socketThreads
let echoSocketThreads = echo.threads
posixEcho.stop()
await echo.stop()
await daemon.shutdown()
_ = try? FileManager.default.removeItem(atPath: dir)

#if DEBUG
let buildMode = "debug"
#else
let buildMode = "release"
#endif
let out: JSONValue = .object([
    "benchmark": "a2al-bench-rpc", "method": "node.info",
    "config": .object([
        "build": .string(buildMode), "seconds_per_case": .double(seconds), "rounds_per_case": .integer(rounds),
        "connections": .array(connectionCounts.map { .integer($0) }),
        "cpus_online": .integer(ProcessInfo.processInfo.processorCount),
        "cpus_usable": .integer(ProcessInfo.processInfo.activeProcessorCount),
        "metrics_listener": .bool(config.metrics != nil),
        // What node.info walks to count good peers (`--contacts`, made-up peers in 10.0.0.0/24).
        "daemon_routing_table_entries": .integer(routingEntries),
        "daemon_socket_threads": .integer(daemonSocketThreads),
        "project_socket_line_echo_threads": .integer(echoSocketThreads),
        // What each loop thread asks the scheduler for (0 = the kernel's default slice).
        "socket_loop_time_slice_ns": .integer(Int(UnixSocketServer.loopTimeSliceNanoseconds)),
        "client": "one blocking thread per connection in this process, strict round trips",
        "baseline": "POSIX newline echo, one blocking thread per connection, no code shared with the daemon",
        "os": .string(ProcessInfo.processInfo.operatingSystemVersionString),
    ]),
    "results": .object(JSONObject(results)),
    "rpc_over_baseline": .object(JSONObject(ratios)),
    "rpc_over_project_socket_line_echo": .object(JSONObject(layerRatios)),
    "in_process_ns_per_call": .double(inProcessNs.rounded()),
    "goal": "rpc_over_baseline >= 0.6 at 1 and 16 connections",
])
print(JSONWriter.pretty(out))

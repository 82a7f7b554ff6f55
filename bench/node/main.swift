// Node benchmark: inbound requests answered per second by one node on loopback UDP (PING and
// FIND_NODE), next to the physical limit measured in the same run — one Ed25519 verify plus one
// sign per request on one core — and the memory of a node holding 100,000 stored records.
// The node runs in its production configuration: per-IP and global inbound rate limits on,
// one socket reader per usable core (docs/architecture.md, "Inbound workers"). The load comes
// from many loopback source addresses (127.0.0.2, 127.0.0.3, ...), one identity each, so every
// source stays within the per-IP limit; the report prints the limits and what they refused.
// Prints one JSON object. Usage:
//   a2al-bench-node [--seconds S] [--rounds R] [--records N] [--sources N] [--window W] [--inbound-workers N]
//                   [--generator batched|single] [--pause-us U] [--limit-input distinct|identical]
//                   [--generator-cpu C]
// (--inbound-workers N: N threads read the socket and answer, default one per usable core;
// --limit-input identical: the physical limit verifies one request over and over, as before
// 2026-12-07, see LimitWorkload; --generator-cpu C: the generator's thread runs on CPU C while
// it loads the node, see ThreadAffinity).
// Run pinned with `taskset -c 0` for the one-core figure (add `--generator-cpu 1` to keep the
// generator off the node's core). Build with -c release.
import A2ALSimulation
#if canImport(Glibc)
import Glibc
#endif
import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALUDP
import Logging

let settings = BenchSettings.parse(CommandLine.arguments)
let seconds = settings.seconds

// MARK: - Physical limit: one Ed25519 verify (the request) + one sign (the reply) on one core

nonisolated(unsafe) var sink = 0  // a sink the optimiser cannot see through; single-threaded use
let someEndpoint = WireEndpoint(ip: IPAddress(ipv4: 0x7f00_0001), port: 40000)
// A full FIND_NODE answer: 15 IPv4 contacts (16 would exceed the 1050-byte body budget).
let fifteen = (0..<15).map { _ in NodeInfo(address: Ed25519.KeyPair.generate().address, endpoint: someEndpoint) }
let pingWork = LimitWorkload(identical: settings.limitIdenticalInput, request: { .ping(Ping(address: $0.address)) },
                             reply: .pong(Pong(address: Ed25519.KeyPair.generate().address, observed: someEndpoint)))
let findNodeWork = LimitWorkload(identical: settings.limitIdenticalInput, request: { _ in .findNode(FindNode(target: NodeID.random())) },
                                 reply: .findNodeResp(FindNodeResp(nodes: fifteen, observed: someEndpoint)))
func pingLimit(for duration: Double) -> (wall: Double, cpu: Double) { pingWork.run(for: duration, sink: &sink) }
func findNodeLimit(for duration: Double) -> (wall: Double, cpu: Double) { findNodeWork.run(for: duration, sink: &sink) }

// MARK: - The node under load, in its production configuration

let nodeKeys = MemoryKeyStore()
_ = try nodeKeys.add(Ed25519.KeyPair.generate())
let transport = try await UDPTransport.bind(host: "127.0.0.1", port: 0, inboundWorkers: settings.inboundWorkers)
let logger = Logger(label: "a2al.dht")
// Rate limits as DHTNode.Config's defaults (the daemon's): not passed, so not changed.
let node = try DHTNode(config: .init(transport: transport, keyStore: nodeKeys, routingLimits: .unlimited, logger: logger))
try await node.start()
guard let nodeEndpoint = node.localAddress.udp else { fatalError("no UDP address") }
// A realistic table for FIND_NODE answers: 200 verified contacts (routing limits off only so
// that 200 made-up contacts in 10.0.0.0/24 all fit; inbound limits are untouched).
for i in 0..<200 {
    let k = Ed25519.KeyPair.generate()
    let ep = WireEndpoint(ip: IPAddress(ipv4: 0x0a00_0000 + UInt32(i)), port: 4000)
    node.addContact(.udp(ep), info: NodeInfo(address: k.address, endpoint: ep))
}

let generator = try LoadGenerator(sources: settings.sources, nodePort: nodeEndpoint.port)
let pings = try generator.presign(perSource: settings.requestsPerSource) { .ping(Ping(address: $0.address)) }
let findNodes = try generator.presign(perSource: settings.requestsPerSource) { _ in .findNode(FindNode(target: NodeID.random())) }
func load(_ requests: [[[UInt8]]], on generator: LoadGenerator, settings: BenchSettings, for duration: Double) -> LoadGenerator.Result {
    ThreadAffinity.run(onCPU: settings.generatorCPU) {
        if settings.batched {
            guard let result = generator.runBatched(requests, window: settings.window, seconds: duration, pause: settings.pauseSeconds) else {
                fatalError("sendmmsg/recvmmsg unavailable; run with --generator single")
            }
            return result
        }
        return generator.run(requests, window: settings.window, seconds: duration)
    }
}
// Each load runs in rounds alternating with limit measurements (AlternatingRounds), so machine
// drift during the run affects both sides of each round's ratio alike.
let pingRounds = AlternatingRounds.measure(rounds: settings.rounds, seconds: seconds, limit: pingLimit(for:)) {
    load(pings, on: generator, settings: settings, for: $0)
}
let findRounds = AlternatingRounds.measure(rounds: settings.rounds, seconds: seconds, limit: findNodeLimit(for:)) {
    load(findNodes, on: generator, settings: settings, for: $0)
}
let stats = node.debugStats()
let udp = transport.stats
await node.close()

// MARK: - Memory of 100,000 stored records

let memKeys = MemoryKeyStore()
_ = try memKeys.add(Ed25519.KeyPair.generate())
let memNode = try DHTNode(config: .init(transport: try MemoryNetwork(clock: SystemClock()).makeTransport(name: "m"),
                                        keyStore: memKeys, logger: logger))
let unix = SystemClock().unixSeconds()
// Records are signed and stored one at a time, so the resident-size delta is everything the
// node holds per record: the record itself plus the store's indexes.
let before = residentBytes()
for i in 0..<settings.records {
    let k = Ed25519.KeyPair.generate()
    let payload = EndpointPayload(endpoints: ["quic://203.0.\(i >> 8 & 255).\(i & 255):4001"], natType: 1).encoded
    try memNode.localPut(try SignedRecord.sign(recType: RecordType.endpoint, payload: payload, seq: 1, timestamp: unix,
                                               ttl: 3600, signer: k))
}
let heldBytes = residentBytes() - before
let perRecord = Double(heldBytes) / Double(max(settings.records, 1))

func round1(_ x: Double) -> Double { (x * 10).rounded() / 10 }
func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

print("""
{"benchmark":"node",\
"config":\(settings.json(inboundWorkers: udp.inboundWorkers)),\
"ping_physical_limit_per_s":\(round1(pingRounds.meanLimit)),"ping_answered_per_s":\(round1(pingRounds.answeredPerSecond)),\
"ping_vs_physical_limit":\(round3(pingRounds.medianRatio)),"ping_round_ratios":\(pingRounds.ratiosJSON),\
"find_node_physical_limit_per_s":\(round1(findRounds.meanLimit)),"find_node_answered_per_s":\(round1(findRounds.answeredPerSecond)),\
"find_node_vs_physical_limit":\(round3(findRounds.medianRatio)),"find_node_round_ratios":\(findRounds.ratiosJSON),\
"ping_cpu_efficiency":\(round3(pingRounds.medianEfficiency)),\
"find_node_cpu_efficiency":\(round3(findRounds.medianEfficiency)),\
"goal":"answered >= 1.5 x physical limit on 2 cores, >= 0.8 x pinned to one core (taskset -c 0)",\
"physical_limit_note":"one Ed25519 verify of a request + one sign of its reply, one thread, messages sized like the real exchange (config.physical_limit_input says which requests), measured before and after each round of load; a ratio is the median of the rounds' ratios",\
"cpu_efficiency_note":"requests answered per node CPU-second (process CPU minus the generator thread) / verify+sign per CPU-second; immune to VM steal",\
"ping_generator_cores":\(round3(pingRounds.generatorCores)),"find_node_generator_cores":\(round3(findRounds.generatorCores)),\
"generator_resends_after_loss":\(pingRounds.resends + findRounds.resends),\
"node_rx_verified":\(stats.rxPacketsVerified),"node_dropped_malformed":\(stats.droppedMalformed),\
"node_dropped_rate_limited":\(stats.droppedRateLimited),"node_dropped_global_rate_limited":\(stats.droppedGlobalRateLimited),\
"udp_received":\(udp.received),"udp_kernel_drops":\(udp.kernelDrops ?? 0),\
"udp_delivered_per_worker":[\(udp.deliveredPerWorker.map(String.init).joined(separator: ","))],\
"udp_mean_batch":\(round3(Double(udp.received) / Double(max(udp.batches, 1)))),\
"store_records":\(memNode.storeKeyCount),"store_resident_bytes_for_records":\(heldBytes),\
"store_bytes_per_record":\(round1(perRecord)),\
"sink":\(sink & 1)}
""")

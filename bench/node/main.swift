// Node benchmark: inbound requests answered per second by one node on loopback UDP (PING and
// FIND_NODE), next to the physical limit measured in the same run — one Ed25519 verify plus one
// sign per request on one core — and the memory of a node holding 100,000 stored records.
// Prints one JSON object. Usage: a2al-bench-node [--seconds S] [--records N]
// Build with -c release.
import A2ALSimulation
#if canImport(Glibc)
import Glibc
#endif
import A2ALCore
import A2ALDHT
import A2ALProtocol
import A2ALUDP
import Logging

func argument(_ name: String, default value: Double) -> Double {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: name), i + 1 < args.count, let v = Double(args[i + 1]), v > 0 { return v }
    return value
}

let seconds = argument("--seconds", default: 3)
let recordCount = Int(argument("--records", default: 100_000))

func elapsedSeconds(since start: ContinuousClock.Instant) -> Double { (ContinuousClock.now - start).seconds }

/// CPU seconds consumed by the calling thread, or by the whole process. CPU time excludes the
/// time a shared VM steals, so CPU-normalised ratios stay steady where wall-clock ones drift.
func cpuSeconds(_ clock: clockid_t) -> Double {
    var ts = timespec()
    clock_gettime(clock, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Resident set size of this process in bytes (/proc/self/statm).
func residentBytes() -> Int {
    guard let f = fopen("/proc/self/statm", "r") else { return 0 }
    defer { fclose(f) }
    var size = 0, resident = 0
    guard withUnsafeMutablePointer(to: &size, { s in
        withUnsafeMutablePointer(to: &resident) { r in
            withVaList([s, r]) { vfscanf(f, "%ld %ld", $0) }
        }
    }) == 2 else { return 0 }
    return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
}

// MARK: - Physical limit: one Ed25519 verify (the request) + one sign (the reply) on one core

let probe = Ed25519.KeyPair.generate()
nonisolated(unsafe) var sink = 0  // a sink the optimiser cannot see through; single-threaded use
/// Operations per wall-clock second and per CPU second of this thread.
func opsPerSecond(_ body: () -> Void) -> (wall: Double, cpu: Double) {
    let start = ContinuousClock.now
    let cpu0 = cpuSeconds(CLOCK_THREAD_CPUTIME_ID)
    var n = 0
    repeat {
        for _ in 0..<100 { body() }
        n += 100
    } while elapsedSeconds(since: start) < seconds / 2
    return (Double(n) / elapsedSeconds(since: start), Double(n) / (cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - cpu0))
}
func preimage(_ body: MessageBody) -> [UInt8] {
    ProtocolConstants.messageSignPrefix + Header(msgType: body.type, txID: Header.randomTxID()).encoded + body.encoded
}
/// Verify of the request's preimage plus sign of the reply's, sized like the real exchange.
func physicalLimit(request: MessageBody, reply: MessageBody) -> (wall: Double, cpu: Double) {
    let req = preimage(request), rep = preimage(reply)
    let sig = probe.sign(req)
    return opsPerSecond {
        sink &+= Ed25519.verify(signature: sig, message: req, publicKey: probe.publicKey) ? 1 : 0
        sink &+= Int(probe.sign(rep)[0])
    }
}
let someEndpoint = WireEndpoint(ip: IPAddress(ipv4: 0x7f00_0001), port: 40000)
// A full FIND_NODE answer: 15 IPv4 contacts (16 would exceed the 1050-byte body budget).
let fifteen = (0..<15).map { _ in NodeInfo(address: Ed25519.KeyPair.generate().address, endpoint: someEndpoint) }
func pingLimit() -> (wall: Double, cpu: Double) {
    physicalLimit(request: .ping(Ping(address: probe.address)), reply: .pong(Pong(address: probe.address, observed: someEndpoint)))
}
func findNodeLimit() -> (wall: Double, cpu: Double) {
    physicalLimit(request: .findNode(FindNode(target: NodeID.random())),
                  reply: .findNodeResp(FindNodeResp(nodes: fifteen, observed: someEndpoint)))
}

// MARK: - The node under load

let nodeKeys = MemoryKeyStore()
_ = try nodeKeys.add(Ed25519.KeyPair.generate())
let transport = try await UDPTransport.bind(host: "127.0.0.1", port: 0)
let logger = Logger(label: "a2al.dht")
let node = try DHTNode(config: .init(transport: transport, keyStore: nodeKeys, routingLimits: .unlimited,
                                     inboundRateLimit: nil, logger: logger))
try await node.start()
guard let nodeEndpoint = node.localAddress.udp else { fatalError("no UDP address") }
// A realistic table for FIND_NODE answers: 200 verified contacts.
for i in 0..<200 {
    let k = Ed25519.KeyPair.generate()
    let ep = WireEndpoint(ip: IPAddress(ipv4: 0x0a00_0000 + UInt32(i)), port: 4000)
    node.addContact(.udp(ep), info: NodeInfo(address: k.address, endpoint: ep))
}

/// A blocking UDP socket on 127.0.0.1 with a receive timeout.
func makeSocket() -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var tv = timeval(tv_sec: 0, tv_usec: 200_000)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
    var buf: Int32 = 4 << 20
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, socklen_t(MemoryLayout<Int32>.size))
    return fd
}

/// Drives the node closed-loop with `window` requests in flight for `seconds`, from pre-signed
/// datagrams (the generator does no crypto while measuring). Returns answers per wall-clock
/// second and per CPU second spent by the node (process CPU minus this generator thread's).
func load(_ requests: [[UInt8]], window: Int) -> (perSecond: Double, perNodeCPUSecond: Double) {
    let fd = makeSocket()
    defer { close(fd) }
    var dest = sockaddr_in()
    dest.sin_family = sa_family_t(AF_INET)
    dest.sin_port = in_port_t(nodeEndpoint.port).bigEndian
    dest.sin_addr.s_addr = inet_addr("127.0.0.1")
    func send(_ d: [UInt8]) {
        let rc = d.withUnsafeBytes { b in
            withUnsafePointer(to: &dest) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                sendto(fd, b.baseAddress, b.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            } }
        }
        if rc < 0 { sendErrors += 1 }
    }
    var next = 0
    var sendErrors = 0
    defer { if sendErrors > 0 { print("generator: \(sendErrors) send errors (errno \(errno))") } }
    for _ in 0..<window { send(requests[next % requests.count]); next += 1 }
    var buffer = [UInt8](repeating: 0, count: 2048)
    var answered = 0
    let start = ContinuousClock.now
    let process0 = cpuSeconds(CLOCK_PROCESS_CPUTIME_ID), thread0 = cpuSeconds(CLOCK_THREAD_CPUTIME_ID)
    while elapsedSeconds(since: start) < seconds {
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n > 0 {
            answered += 1
            send(requests[next % requests.count])
            next += 1
        } else {
            // A lost datagram: top the window up again.
            for _ in 0..<window / 4 { send(requests[next % requests.count]); next += 1 }
        }
    }
    let nodeCPU = (cpuSeconds(CLOCK_PROCESS_CPUTIME_ID) - process0) - (cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - thread0)
    return (Double(answered) / elapsedSeconds(since: start), Double(answered) / max(nodeCPU, 1e-9))
}

func requests(_ make: (Ed25519.KeyPair) -> MessageBody, count: Int) throws -> [[UInt8]] {
    let senders = (0..<64).map { _ in Ed25519.KeyPair.generate() }
    return try (0..<count).map { i in
        let k = senders[i % senders.count]
        return try Packet.encode(body: make(k), txID: Header.randomTxID(), signer: k)
    }
}

let pings = try requests({ .ping(Ping(address: $0.address)) }, count: 20_000)
let findNodes = try requests({ _ in .findNode(FindNode(target: NodeID.random())) }, count: 20_000)
// Each load is bracketed by limit measurements (their mean is the limit), so machine drift
// during the run affects both sides of the ratio alike.
let pingLimitBefore = pingLimit()
let pingLoad = load(pings, window: 64)
let pingLimitAfter = pingLimit()
let pingLimitMean = (pingLimitBefore.wall + pingLimitAfter.wall) / 2
let pingLimitCPU = (pingLimitBefore.cpu + pingLimitAfter.cpu) / 2
let findLimitBefore = findNodeLimit()
let findLoad = load(findNodes, window: 64)
let findLimitAfter = findNodeLimit()
let findNodeLimitMean = (findLimitBefore.wall + findLimitAfter.wall) / 2
let findNodeLimitCPU = (findLimitBefore.cpu + findLimitAfter.cpu) / 2
let stats = node.debugStats()
await node.close()

// MARK: - Memory of 100,000 stored records

func round1(_ x: Double) -> Double { (x * 10).rounded() / 10 }
func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }

let memKeys = MemoryKeyStore()
_ = try memKeys.add(Ed25519.KeyPair.generate())
let memNode = try DHTNode(config: .init(transport: try MemoryNetwork(clock: SystemClock()).makeTransport(name: "m"),
                                        keyStore: memKeys, logger: logger))
let unix = SystemClock().unixSeconds()
// Records are signed and stored one at a time, so the resident-size delta is everything the
// node holds per record: the record itself plus the store's indexes.
let before = residentBytes()
for i in 0..<recordCount {
    let k = Ed25519.KeyPair.generate()
    let payload = EndpointPayload(endpoints: ["quic://203.0.\(i >> 8 & 255).\(i & 255):4001"], natType: 1).encoded
    try memNode.localPut(try SignedRecord.sign(recType: RecordType.endpoint, payload: payload, seq: 1, timestamp: unix,
                                               ttl: 3600, signer: k))
}
let heldBytes = residentBytes() - before
let perRecord = Double(heldBytes) / Double(recordCount)

print("""
{"benchmark":"node","seconds_per_load":\(seconds),\
"ping_physical_limit_per_s":\(round1(pingLimitMean)),"ping_answered_per_s":\(round1(pingLoad.perSecond)),\
"ping_vs_physical_limit":\(round3(pingLoad.perSecond / pingLimitMean)),\
"find_node_physical_limit_per_s":\(round1(findNodeLimitMean)),"find_node_answered_per_s":\(round1(findLoad.perSecond)),\
"find_node_vs_physical_limit":\(round3(findLoad.perSecond / findNodeLimitMean)),\
"ping_cpu_efficiency":\(round3(pingLoad.perNodeCPUSecond / pingLimitCPU)),\
"find_node_cpu_efficiency":\(round3(findLoad.perNodeCPUSecond / findNodeLimitCPU)),\
"goal":"answered >= 0.70 x physical limit",\
"cpu_efficiency_note":"requests answered per node CPU-second / verify+sign per CPU-second; immune to VM steal",\
"node_rx_verified":\(stats.rxPacketsVerified),"node_dropped_malformed":\(stats.droppedMalformed),"udp_received":\(transport.stats.received),"node_dropped_rate_limited":\(stats.droppedRateLimited),\
"store_records":\(memNode.storeKeyCount),"store_resident_bytes_for_records":\(heldBytes),\
"store_bytes_per_record":\(round1(perRecord)),\
"sink":\(sink & 1)}
""")

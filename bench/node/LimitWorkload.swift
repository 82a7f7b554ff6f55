#if canImport(Glibc)
import Glibc
#endif
import A2ALCore
import A2ALProtocol

/// The physical limit's work: one Ed25519 verify of a request's preimage and one sign of the
/// reply's, on one thread, with messages sized like the real exchange.
///
/// The requests are distinct, as the node sees them: each has its own sender key, tx_id and
/// signature, and the limit verifies them in turn. Verifying one signature over and over
/// flatters the limit: libsodium's verification runs in variable time (its inputs are public)
/// and the branch predictor learns the one input's path; distinct requests verified 4–5%
/// slower in a C check with libsodium on the 2-core AMD VM (docs/benchmarks.md, "The physical
/// limit's input"). `identical` keeps the former definition, to compare the two in one build.
/// Signing is constant-time by design; the replies still cycle through a few tx_ids so that no
/// message repeats back to back.
struct LimitWorkload {
    static let requestCount = 256
    static let replyCount = 16

    private struct SignedRequest {
        var preimage: [UInt8]
        var signature: [UInt8]
        var publicKey: [UInt8]
    }

    private let requests: [SignedRequest]
    private let replies: [[UInt8]]
    private let signer: Ed25519.KeyPair

    init(identical: Bool, request: (Ed25519.KeyPair) -> MessageBody, reply: MessageBody) {
        let count = identical ? 1 : Self.requestCount
        requests = (0..<count).map { _ in
            let sender = Ed25519.KeyPair.generate()
            let preimage = Self.preimage(request(sender))
            return SignedRequest(preimage: preimage, signature: sender.sign(preimage), publicKey: sender.publicKey)
        }
        replies = (0..<(identical ? 1 : Self.replyCount)).map { _ in Self.preimage(reply) }
        signer = Ed25519.KeyPair.generate()
    }

    /// Verify+sign per wall-clock second and per CPU second of this thread; `sink` keeps the
    /// optimiser from dropping the work.
    func run(for duration: Double, sink: inout Int) -> (wall: Double, cpu: Double) {
        let start = ContinuousClock.now
        let cpu0 = cpuSeconds(CLOCK_THREAD_CPUTIME_ID)
        var n = 0, next = 0, nextReply = 0
        repeat {
            for _ in 0..<100 {
                let r = requests[next]
                sink &+= Ed25519.verify(signature: r.signature, message: r.preimage, publicKey: r.publicKey) ? 1 : 0
                sink &+= Int(signer.sign(replies[nextReply])[0])
                next = next + 1 == requests.count ? 0 : next + 1
                nextReply = nextReply + 1 == replies.count ? 0 : nextReply + 1
            }
            n += 100
        } while elapsedSeconds(since: start) < duration
        return (Double(n) / elapsedSeconds(since: start), Double(n) / (cpuSeconds(CLOCK_THREAD_CPUTIME_ID) - cpu0))
    }

    private static func preimage(_ body: MessageBody) -> [UInt8] {
        ProtocolConstants.messageSignPrefix + Header(msgType: body.type, txID: Header.randomTxID()).encoded + body.encoded
    }
}

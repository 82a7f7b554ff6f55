import A2ALCore
import A2ALProtocol
import Synchronization
import Testing
@testable import A2ALDHT

/// Paging through one holder's records (docs/routing.md §3.6): a holder's rotation moves with
/// every answer it sends, so a page can be skipped, and the paging must come round to it.
@Suite struct HolderPagingTests {
    /// Twelve topic records from twelve signers, and the holder's four pages of three.
    static let records: [SignedRecord] = (0..<12).compactMap { i in
        let payload = TopicPayload(topic: "lang.translate", name: "agent-\(i)", brief: "translates").encoded
        return try? SignedRecord.sign(recType: RecordType.topic, payload: payload, seq: 1, timestamp: 1_700_000_000,
                                      ttl: 600, signer: Ed25519.KeyPair.generate())
    }
    static func page(_ n: Int) -> [SignedRecord] { Array(records[(n % 4) * 3..<(n % 4) * 3 + 3]) }

    /// Answers the scripted pages in order; counts the requests.
    final class ScriptedHolder: Sendable {
        private let pages: Mutex<[[SignedRecord]?]>
        let asked = Atomic<Int>(0)
        init(_ pages: [[SignedRecord]?]) { self.pages = Mutex(pages) }
        func next() -> [SignedRecord]? {
            asked.add(1, ordering: .relaxed)
            return pages.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        }
    }

    @Test func aSkippedPageIsReachedOnTheNextTurn() async throws {
        #expect(Self.records.count == 12)
        // Page 1 was answered twice (a hedge), so the second request gets page 2 of 0…3; the
        // holder goes on turning: 3, 0, 1, 2, …
        let holder = ScriptedHolder([2, 3, 0, 1, 2, 3, 0, 1].map { Self.page($0) })
        let all = await HolderPaging(maxPages: 30).collect(first: Self.page(0)) { holder.next() }
        #expect(Set(all.map(\.pubkey)) == Set(Self.records.map(\.pubkey)), "missed page 1 for good")
        #expect(all.count == 12)
        // 2, 3, 0 (nothing new), 1 (new), 2 and 3 (nothing new twice): six more requests.
        #expect(holder.asked.load(ordering: .relaxed) == 6)
    }

    @Test func aHolderThatDoesNotRotateIsAskedOnceMore() async {
        let first = Array(Self.records.prefix(3))
        let holder = ScriptedHolder([first, first, first])
        let all = await HolderPaging(maxPages: 30).collect(first: first) { holder.next() }
        #expect(all.count == 3)
        #expect(holder.asked.load(ordering: .relaxed) == 1, "the same answer again means there is no more")
    }

    @Test func aFailedPageEndsThePaging() async {
        let holder = ScriptedHolder([Self.page(1), nil, Self.page(2)])
        let all = await HolderPaging(maxPages: 30).collect(first: Self.page(0)) { holder.next() }
        #expect(all.count == 6)
        #expect(holder.asked.load(ordering: .relaxed) == 2)
    }

    @Test func pagingStopsAtTheLimit() async {
        // A holder whose every page is new (a key that keeps growing) is asked maxPages − 1 times.
        let holder = ScriptedHolder((1..<40).map { n in Self.page(n % 4) })
        _ = await HolderPaging(maxPages: 3).collect(first: Self.page(0)) { holder.next() }
        #expect(holder.asked.load(ordering: .relaxed) == 2)
    }
}

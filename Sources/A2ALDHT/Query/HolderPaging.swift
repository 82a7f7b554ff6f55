import A2ALProtocol

/// Collects every record one holder has at a key when they do not fit one answer: the holder
/// rotates its records, each trimmed answer starting where its previous answer for that key
/// ended (docs/node-behaviour.md §4.5.3), so asking again pages through them
/// (docs/routing.md §3.6).
///
/// The holder's position moves with every answer it sends, to anyone: a hedged request that
/// is answered twice, or another requester's request in between, skips a page. So a page that
/// brings nothing new ends the paging only when it is the page before it again (the holder is
/// not rotating: it had no more) or after a second page in a row with nothing new (a full turn
/// since the last new record). Before, the first page with nothing new ended it, and under load,
/// when hedges fire, records of a skipped page were never seen from any holder
/// (`LookupTests.aggregateCollectsEveryPublisherOfATopic` under ThreadSanitizer beside a busy
/// core, 1 run of 2).
struct HolderPaging {
    /// Pages asked of one holder at most, the first answer included.
    let maxPages: Int

    /// `first` is the holder's first answer; `nextPage` asks it again (nil when that failed).
    /// Returns every distinct record seen, in the order first seen.
    func collect(first: [SignedRecord], nextPage: () async -> [SignedRecord]?) async -> [SignedRecord] {
        var all = first
        var seen = Set(first.map(RecordDedupeKey.init))
        var previous = seen
        var pagesWithNothingNew = 0
        for _ in 1..<maxPages {
            guard let page = await nextPage() else { break }
            let keys = Set(page.map(RecordDedupeKey.init))
            let fresh = page.filter { seen.insert(RecordDedupeKey($0)).inserted }
            if fresh.isEmpty {
                if keys == previous { break }
                pagesWithNothingNew += 1
                if pagesWithNothingNew >= 2 { break }
            } else {
                pagesWithNothingNew = 0
                all += fresh
            }
            previous = keys
        }
        return all
    }
}

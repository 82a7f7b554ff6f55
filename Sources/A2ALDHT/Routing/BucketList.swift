/// The table's 256 buckets, allocated only up to the deepest one ever written.
///
/// A network of n nodes fills about log2(n) + a few buckets; keeping all 256 allocated cost
/// every node ~22 KB of empty bucket headers (docs/routing.md §8.1). Reading a bucket past the
/// allocated ones yields an empty bucket; writing one grows the storage to reach it.
struct BucketList: Sendable, Sequence {
    private var storage: [RoutingBucket] = []

    /// Buckets allocated so far (the deepest ever written, plus one).
    var allocatedCount: Int { storage.count }

    /// Indices of the allocated buckets; every bucket past them is empty.
    var indices: Range<Int> { storage.indices }

    subscript(index: Int) -> RoutingBucket {
        get { index < storage.count ? storage[index] : RoutingBucket() }
        _modify {
            if index >= storage.count {
                storage.append(contentsOf: repeatElement(RoutingBucket(), count: index + 1 - storage.count))
            }
            yield &storage[index]
        }
    }

    func makeIterator() -> IndexingIterator<[RoutingBucket]> { storage.makeIterator() }

    func lastIndex(where predicate: (RoutingBucket) -> Bool) -> Int? {
        storage.lastIndex(where: predicate)
    }
}

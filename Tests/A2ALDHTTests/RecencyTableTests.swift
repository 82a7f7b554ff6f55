import Testing
@testable import A2ALDHT

/// Checks the linked-list-over-array bookkeeping against a naive model under random operations.
@Suite struct RecencyTableTests {
    /// Deterministic xorshift so a failure reproduces.
    private struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
    }

    /// Keys from least to most recently touched, with values.
    private struct Model {
        var order: [(key: Int, value: Int)] = []
        func index(_ key: Int) -> Int? { order.firstIndex { $0.key == key } }
    }

    /// Drains `table` oldest first.
    private func drain(_ table: RecencyTable<Int, Int>) -> [(key: Int, value: Int)] {
        var copy = table
        var out: [(key: Int, value: Int)] = []
        while let oldest = copy.removeOldest() { out.append(oldest) }
        return out
    }

    @Test func matchesANaiveModel() {
        var rng = Generator(state: 0x9e37_79b9_7f4a_7c15)
        var table = RecencyTable<Int, Int>()
        var model = Model()
        for step in 0..<5_000 {
            let key = Int.random(in: 0..<64, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0, 1:
                table.setNewest(step, for: key)
                if let i = model.index(key) { model.order.remove(at: i) }
                model.order.append((key, step))
            case 2:
                let touch = Bool.random(using: &rng)
                let found = table.modify(key, touch: touch) { value -> Int in value += 1; return value }
                if let i = model.index(key) {
                    var entry = model.order[i]
                    entry.value += 1
                    #expect(found == entry.value)
                    if touch { model.order.remove(at: i); model.order.append(entry) } else { model.order[i] = entry }
                } else {
                    #expect(found == nil)
                }
            case 3:
                let removed = table.removeValue(for: key)
                if let i = model.index(key) {
                    #expect(removed == model.order.remove(at: i).value)
                } else {
                    #expect(removed == nil)
                }
            case 4:
                let removed = table.removeOldest()
                let expected = model.order.isEmpty ? nil : model.order.removeFirst()
                #expect(removed?.key == expected?.key)
            default:
                let removed = table.removeAll { key, _ in key % 7 == step % 7 }
                let before = model.order.count
                model.order.removeAll { $0.key % 7 == step % 7 }
                #expect(removed == before - model.order.count)
            }
            #expect(table.count == model.order.count)
            #expect(table.oldest?.key == model.order.first?.key)
            if step % 97 == 0 {
                let drained = drain(table)
                #expect(drained.map(\.key) == model.order.map(\.key))
                #expect(drained.map(\.value) == model.order.map(\.value))
                for entry in model.order { #expect(table.value(for: entry.key) == entry.value) }
            }
        }
    }

    /// Keys whose hashes collide in threes: long probe runs in the open-addressing index, so
    /// removals must shift later keys back (docs/routing.md §8.1).
    private struct Clumped: Hashable, Sendable {
        let n: Int
        func hash(into hasher: inout Hasher) { hasher.combine(n % 3) }
    }

    @Test func everyKeyStaysReachableThroughCollidingProbeRuns() {
        var rng = Generator(state: 0x2545_f491_4f6c_dd1d)
        var table = RecencyTable<Clumped, Int>()
        var model: [Int: Int] = [:]
        for step in 0..<3_000 {
            let key = Int.random(in: 0..<40, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0, 1:
                table.setNewest(step, for: Clumped(n: key))
                model[key] = step
            case 2:
                #expect(table.removeValue(for: Clumped(n: key)) == model.removeValue(forKey: key))
            default:
                if let oldest = table.removeOldest() { #expect(model.removeValue(forKey: oldest.key.n) == oldest.value) }
            }
            #expect(table.count == model.count)
            for k in 0..<40 {
                #expect(table.value(for: Clumped(n: k)) == model[k])
                #expect(table.contains(Clumped(n: k)) == (model[k] != nil))
            }
        }
    }

    @Test func removeOldestWhileStopsAtTheFirstKeptEntry() {
        var table = RecencyTable<Int, Int>()
        for (key, value) in [(1, 10), (2, 50), (3, 20)] { table.setNewest(value, for: key) }
        #expect(table.removeOldest(while: { _, value in value < 30 }) == 1)
        #expect(table.oldest?.key == 2)
        #expect(table.count == 2)
    }
}

import Foundation
import Glibc
import Testing
import A2ALCore
@testable import A2ALDHT

/// A distinct, deterministic peer id for each `n`.
private func peer(_ n: Int) -> NodeID {
    var bytes = [UInt8](repeating: 0x3c, count: NodeID.byteCount)
    bytes[0] = UInt8(truncatingIfNeeded: n >> 8)
    bytes[1] = UInt8(truncatingIfNeeded: n)
    return NodeID(bytes: bytes) ?? .zero
}

private let selfID = peer(0xffff)
/// An arbitrary wall-clock "now".
private let now: UInt64 = 1_760_000_000
private let hour = SeenPeers.hourWindowSeconds
private let day = SeenPeers.dayWindowSeconds
private let week = SeenPeers.retentionSeconds

/// A fresh directory under the system temporary directory, removed by `body`'s end.
private func withTemporaryDirectory<R>(_ body: (String) throws -> R) throws -> R {
    let path = NSTemporaryDirectory() + "seenpeers-test-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try body(path)
}

private func writeFile(_ text: String, to path: String) throws {
    try AtomicFile.write(Array(text.utf8), to: path)
}

@Suite struct SeenPeersRecordingTests {
    @Test func reachWindowsAreInclusiveAndOlderThanAWeekIsPruned() {
        var seen = SeenPeers(selfID: selfID)
        seen.record(peer(1), unixSeconds: now)
        seen.record(peer(2), unixSeconds: now - hour)          // exactly 1 h: counts in h1
        seen.record(peer(3), unixSeconds: now - hour - 1)
        seen.record(peer(4), unixSeconds: now - day)           // exactly 24 h: counts in h24
        seen.record(peer(5), unixSeconds: now - day - 1)
        seen.record(peer(6), unixSeconds: now - week)          // exactly 7 d: kept
        seen.record(peer(7), unixSeconds: now - week - 1)      // older: pruned
        seen.record(peer(8), unixSeconds: now + 10)            // a little in the future: counts
        #expect(seen.count == 8)
        let reach = seen.reach(nowUnix: now)
        #expect(reach == SeenPeers.Reach(h1: 3, h24: 5, d7: 7))
        #expect(seen.count == 7)
        #expect(seen.lastSeen(peer(7)) == nil)
        #expect(seen.lastSeen(peer(6)) == now - week)
        // Pruning does not change the boot counter.
        #expect(seen.uniqueSinceStart == 8)
    }

    @Test func reachNearTheEpochDoesNotUnderflow() {
        var seen = SeenPeers(selfID: selfID)
        seen.record(peer(1), unixSeconds: 0)
        seen.record(peer(2), unixSeconds: 100)
        #expect(seen.reach(nowUnix: 100) == SeenPeers.Reach(h1: 2, h24: 2, d7: 2))
    }

    @Test func recordingOverwritesTheLastSeenTime() {
        var seen = SeenPeers(selfID: selfID)
        seen.record(peer(1), unixSeconds: now - 2 * day)
        #expect(seen.reach(nowUnix: now).h24 == 0)
        seen.record(peer(1), unixSeconds: now)
        #expect(seen.lastSeen(peer(1)) == now)
        #expect(seen.reach(nowUnix: now) == SeenPeers.Reach(h1: 1, h24: 1, d7: 1))
    }

    @Test func selfIsNeverRecorded() {
        var seen = SeenPeers(selfID: selfID)
        seen.record(selfID, unixSeconds: now)
        #expect(seen.count == 0)
        #expect(seen.uniqueSinceStart == 0)
        #expect(seen.reach(nowUnix: now) == SeenPeers.Reach(h1: 0, h24: 0, d7: 0))
    }

    @Test func uniqueSinceStartCountsFirstSightingsOnly() {
        var seen = SeenPeers(selfID: selfID)
        seen.record(peer(1), unixSeconds: now)
        seen.record(peer(1), unixSeconds: now + 1)
        seen.record(peer(2), unixSeconds: now + 2)
        seen.record(peer(1), unixSeconds: now + 3)
        #expect(seen.uniqueSinceStart == 2)
        #expect(seen.count == 2)
    }

    @Test func capDropsTheOldestSighting() {
        var seen = SeenPeers(selfID: selfID, maxEntries: 3)
        for n in 1...3 { seen.record(peer(n), unixSeconds: now + UInt64(n)) }
        seen.record(peer(4), unixSeconds: now + 4)
        #expect(seen.count == 3)
        #expect(seen.lastSeen(peer(1)) == nil)
        // Seeing peer 2 again makes peer 3 the oldest.
        seen.record(peer(2), unixSeconds: now + 5)
        seen.record(peer(5), unixSeconds: now + 6)
        #expect(seen.lastSeen(peer(3)) == nil)
        #expect(seen.lastSeen(peer(2)) == now + 5)
        #expect(seen.count == 3)
        #expect(seen.uniqueSinceStart == 5)
    }

    @Test func maxEntriesIsAtLeastOne() {
        var seen = SeenPeers(selfID: selfID, maxEntries: -5)
        seen.record(peer(1), unixSeconds: now)
        seen.record(peer(2), unixSeconds: now)
        #expect(seen.maxEntries == 1)
        #expect(seen.count == 1)
        #expect(seen.lastSeen(peer(2)) == now)
    }
}

@Suite struct SeenPeersPersistenceTests {
    @Test func saveAndLoadRoundTrip() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/seen_peers"
            var seen = SeenPeers(selfID: selfID)
            seen.record(peer(3), unixSeconds: now - 10)
            seen.record(peer(1), unixSeconds: now - day)
            seen.record(peer(2), unixSeconds: now - week)          // kept: exactly 7 days
            seen.record(peer(4), unixSeconds: now - week - 1)      // not written
            try seen.save(to: path, nowUnix: now)
            // Saving does not prune memory.
            #expect(seen.count == 4)

            var status = stat()
            #expect(stat(path, &status) == 0)
            #expect(status.st_mode & 0o777 == 0o600)

            let text = String(decoding: try AtomicFile.read(path), as: UTF8.self)
            let expected = [peer(1), peer(2), peer(3)].sorted()
                .map { "\($0.bytes.hex) \(seen.lastSeen($0) ?? 0)\n" }.joined()
            #expect(text == expected)

            let (loaded, skipped) = try SeenPeers.load(from: path, selfID: selfID, nowUnix: now)
            #expect(skipped == 0)
            #expect(loaded.count == 3)
            #expect(loaded.uniqueSinceStart == 0)
            for id in [peer(1), peer(2), peer(3)] { #expect(loaded.lastSeen(id) == seen.lastSeen(id)) }
            #expect(loaded.lastSeen(peer(4)) == nil)
        }
    }

    @Test func saveReplacesAnEarlierFileAndKeepsItsMode() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/seen_peers"
            try writeFile("junk\n", to: path)
            chmod(path, 0o644)
            var seen = SeenPeers(selfID: selfID)
            seen.record(peer(1), unixSeconds: now)
            try seen.save(to: path, nowUnix: now)
            var status = stat()
            #expect(stat(path, &status) == 0)
            #expect(status.st_mode & 0o777 == 0o600)
            let (loaded, skipped) = try SeenPeers.load(from: path, selfID: selfID, nowUnix: now)
            #expect(skipped == 0 && loaded.count == 1)
            // No temporary files are left behind.
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["seen_peers"])
        }
    }

    @Test func loadedEntriesDoNotCountAsSeenThisBoot() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/seen_peers"
            try writeFile("\(peer(1).bytes.hex) \(now - 100)\n", to: path)
            var (seen, _) = try SeenPeers.load(from: path, selfID: selfID, nowUnix: now)
            #expect(seen.uniqueSinceStart == 0)
            #expect(seen.reach(nowUnix: now).h1 == 1)
            seen.record(peer(1), unixSeconds: now)
            #expect(seen.uniqueSinceStart == 1)
            seen.record(peer(1), unixSeconds: now + 1)
            #expect(seen.uniqueSinceStart == 1)
        }
    }

    @Test func loadSkipsMalformedStaleDuplicateAndSelfLines() throws {
        let a = peer(1).bytes.hex, b = peer(2).bytes.hex, c = peer(3).bytes.hex
        let lines = [
            "# a comment",
            "",
            "   ",
            "  # indented comment",
            "\(a) \(now - 5)",                          // ok
            "\t\(b.uppercased())\t \(now - 6)\r",       // ok: upper case, tabs, CRLF
            "\(a) \(now - 1)",                          // duplicate: first wins
            "\(c) \(now - week - 1)",                   // stale
            "\(c) -5",                                  // stale (negative)
            "\(selfID.bytes.hex) \(now)",               // self
            "\(c.dropLast(2)) \(now)",                  // malformed: 31 bytes
            "\(c)00 \(now)",                            // malformed: 33 bytes
            "\(c.dropLast(1))g \(now)",                 // malformed: not hex
            "\(c)",                                     // malformed: one field
            "\(c) \(now) extra",                        // malformed: three fields
            "\(c) 12abc",                               // malformed: not a number
            "\(c) 99999999999999999999",                // malformed: out of Int64 range
            "\(c) \(now) # trailing comment",           // malformed: four fields
            "\(c) +\(now - 7)",                         // ok: explicit sign
        ]
        let bytes = Array(lines.joined(separator: "\n").utf8)
        let parsed = SeenPeers.parse(bytes, selfID: selfID, nowUnix: now)
        #expect(parsed.malformedLines == 8)
        #expect(parsed.staleLines == 2)
        #expect(parsed.duplicateLines == 1)
        #expect(parsed.selfLines == 1)
        #expect(parsed.entries.map(\.id) == [peer(1), peer(2), peer(3)])
        #expect(parsed.entries.map(\.lastSeenUnix) == [now - 5, now - 6, now - 7])

        try withTemporaryDirectory { dir in
            let path = dir + "/seen_peers"
            try AtomicFile.write(bytes, to: path)
            let (seen, skipped) = try SeenPeers.load(from: path, selfID: selfID, nowUnix: now)
            #expect(skipped == 8)
            #expect(seen.count == 3)
            #expect(seen.lastSeen(peer(1)) == now - 5)
            #expect(seen.lastSeen(selfID) == nil)
            #expect(seen.uniqueSinceStart == 0)
        }
    }

    @Test func loadKeepsTheMostRecentEntriesWhenOverTheCap() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/seen_peers"
            let text = (1...5).map { "\(peer($0).bytes.hex) \(now - 100 + UInt64($0))\n" }.joined()
            try writeFile(text, to: path)
            var (seen, _) = try SeenPeers.load(from: path, selfID: selfID, nowUnix: now, maxEntries: 3)
            #expect(seen.count == 3)
            #expect(seen.lastSeen(peer(1)) == nil && seen.lastSeen(peer(2)) == nil)
            // The oldest loaded entry is the first to go.
            seen.record(peer(9), unixSeconds: now)
            #expect(seen.lastSeen(peer(3)) == nil)
            #expect(seen.lastSeen(peer(4)) != nil)
        }
    }

    @Test func missingFileGivesAnEmptyTable() throws {
        try withTemporaryDirectory { dir in
            let (seen, skipped) = try SeenPeers.load(from: dir + "/absent", selfID: selfID, nowUnix: now)
            #expect(seen.count == 0 && skipped == 0)
            let (deeper, _) = try SeenPeers.load(from: dir + "/no/such/dir/file", selfID: selfID, nowUnix: now)
            #expect(deeper.count == 0)
        }
    }

    @Test func aDirectoryIsAnErrorNamingIt() throws {
        _ = try withTemporaryDirectory { dir in
            #expect {
                _ = try SeenPeers.load(from: dir, selfID: selfID, nowUnix: now)
            } throws: { error in
                guard let error = error as? FileError else { return false }
                return error.path == dir && error.description.contains(dir)
            }
        }
    }

    @Test func saveIntoAMissingDirectoryIsAnErrorNamingTheFile() throws {
        _ = try withTemporaryDirectory { dir in
            let path = dir + "/missing/seen_peers"
            var seen = SeenPeers(selfID: selfID)
            seen.record(peer(1), unixSeconds: now)
            #expect {
                try seen.save(to: path, nowUnix: now)
            } throws: { error in
                (error as? FileError)?.description.contains(path) ?? false
            }
        }
    }

    @Test func emptyTableSavesAnEmptyFile() throws {
        try withTemporaryDirectory { dir in
            let path = dir + "/seen_peers"
            try SeenPeers(selfID: selfID).save(to: path, nowUnix: now)
            #expect(try AtomicFile.read(path).isEmpty)
            let (loaded, skipped) = try SeenPeers.load(from: path, selfID: selfID, nowUnix: now)
            #expect(loaded.count == 0 && skipped == 0)
        }
    }

    @Test func signedDecimalParsing() {
        func parse(_ s: String) -> Int64? { SeenPeers.parseSignedDecimal(ArraySlice(Array(s.utf8))) }
        #expect(parse("0") == 0)
        #expect(parse("+17") == 17)
        #expect(parse("-17") == -17)
        #expect(parse("9223372036854775807") == .max)
        #expect(parse("-9223372036854775808") == .min)
        #expect(parse("9223372036854775808") == nil)
        #expect(parse("-9223372036854775809") == nil)
        #expect(parse("") == nil)
        #expect(parse("+") == nil)
        #expect(parse("1_000") == nil)
        #expect(parse("0x10") == nil)
        #expect(parse(" 1") == nil)
    }
}

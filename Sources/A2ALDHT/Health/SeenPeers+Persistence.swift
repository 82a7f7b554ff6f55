import Glibc
import A2ALCore

/// The seen-peers file of docs/node-behaviour.md §8.3: UTF-8 text, one `<64 hex NodeID> <Unix
/// seconds>\n` per line, readable by the reference and by us.
///
/// Deviations (docs/jsonrpc.md, "Configuration and data directory"): a missing file is an empty
/// table, but any other failure to read it (a directory, unreadable, oversized) is an error naming
/// the file rather than a silent empty start; writes are crash-safe through `AtomicFile` (temporary
/// file, fsync, rename) instead of `<path>.tmp`; lines are sorted by NodeID so the file is stable.
extension SeenPeers {
    /// Permissions of the written file.
    public static let fileMode: mode_t = 0o600
    /// Largest file `load` accepts. A full table (`defaultMaxEntries` lines of at most
    /// `maxWrittenLineBytes`) is about 8.6 MB; anything much larger is not ours.
    public static let maxFileBytes = 16 << 20
    /// Longest line `save` writes: 64 hex digits, a space, 20 decimal digits, a newline.
    static let maxWrittenLineBytes = 2 * NodeID.byteCount + 1 + 20 + 1

    /// What `parse` found in a file's bytes.
    struct ParsedFile {
        /// Valid, fresh, non-self entries, first occurrence of each id only, in file order.
        var entries: [(id: NodeID, lastSeenUnix: UInt64)] = []
        /// Lines that are neither blank, a comment nor `<64 hex> <signed 64-bit decimal>`.
        var malformedLines = 0
        /// Well-formed lines seen strictly more than `retentionSeconds` before now.
        var staleLines = 0
        /// Well-formed lines repeating an id already read (the first occurrence wins).
        var duplicateLines = 0
        /// Well-formed lines naming our own id (docs/deviations.md §2).
        var selfLines = 0
    }

    /// Loads the table saved at `path`. A missing file gives an empty table. Entries older than
    /// `retentionSeconds`, duplicates (first occurrence wins) and our own id are skipped
    /// silently; malformed lines are skipped and their number returned as `skippedLines` so
    /// the caller can log "N malformed lines in <path>". Loaded peers do not count towards
    /// `uniqueSinceStart`. With more than `maxEntries` valid entries the most recent are kept.
    /// (The reference stops reading at a line over 64 KiB; here such a line is just malformed.)
    /// - Throws: `FileError` naming `path` when it exists but cannot be read as a regular
    ///   file of at most `maxFileBytes`.
    public static func load(from path: String, selfID: NodeID, nowUnix: UInt64,
                            maxEntries: Int = SeenPeers.defaultMaxEntries)
        throws(FileError) -> (SeenPeers, skippedLines: Int)
    {
        var table = SeenPeers(selfID: selfID, maxEntries: maxEntries)
        let bytes: [UInt8]
        do throws(FileError) {
            bytes = try AtomicFile.read(path, maxBytes: maxFileBytes)
        } catch {
            if error.isNotFound { return (table, 0) }
            throw error
        }
        var parsed = parse(bytes, selfID: selfID, nowUnix: nowUnix)
        // Oldest first, so that the recency order matches last-seen order and the cap evicts
        // the oldest; ties broken by id to be deterministic.
        parsed.entries.sort { ($0.lastSeenUnix, $0.id) < ($1.lastSeenUnix, $1.id) }
        for entry in parsed.entries.dropFirst(max(0, parsed.entries.count - table.maxEntries)) {
            table.insertLoaded(entry.id, lastSeenUnix: entry.lastSeenUnix)
        }
        return (table, parsed.malformedLines)
    }

    /// Writes every sighting not older than `retentionSeconds` to `path` atomically with mode
    /// `fileMode`, sorted by NodeID. Does not prune memory (docs/node-behaviour.md §8.3).
    public func save(to path: String, nowUnix: UInt64) throws(FileError) {
        try AtomicFile.write(encodedFile(nowUnix: nowUnix), to: path, mode: Self.fileMode)
    }

    // MARK: - Encoding

    /// The file content `save` writes.
    func encodedFile(nowUnix: UInt64) -> [UInt8] {
        let cutoff = Self.cutoff(nowUnix, Self.retentionSeconds)
        var kept: [(id: NodeID, lastSeenUnix: UInt64)] = []
        kept.reserveCapacity(count)
        forEachSighting { id, sighting in
            if sighting.lastSeenUnix >= cutoff { kept.append((id, sighting.lastSeenUnix)) }
        }
        kept.sort { $0.id < $1.id }
        var out: [UInt8] = []
        out.reserveCapacity(kept.count * Self.maxWrittenLineBytes)
        for entry in kept {
            out.append(contentsOf: entry.id.bytes.hex.utf8)
            out.append(ASCII.space)
            out.append(contentsOf: String(entry.lastSeenUnix).utf8)
            out.append(ASCII.newline)
        }
        return out
    }

    // MARK: - Decoding

    /// Reads every line of a seen-peers file (docs/node-behaviour.md §8.3 rules, plus
    /// self-exclusion).
    static func parse(_ bytes: [UInt8], selfID: NodeID, nowUnix: UInt64) -> ParsedFile {
        let cutoff = cutoff(nowUnix, retentionSeconds)
        var parsed = ParsedFile()
        var ids = Set<NodeID>()
        var idBytes = [UInt8](repeating: 0, count: NodeID.byteCount)
        var lineStart = 0
        while lineStart < bytes.count {
            let lineEnd = bytes[lineStart...].firstIndex(of: ASCII.newline) ?? bytes.count
            defer { lineStart = lineEnd + 1 }
            switch parseLine(bytes[lineStart..<lineEnd], idBytes: &idBytes) {
            case .ignorable:
                continue
            case .malformed:
                parsed.malformedLines += 1
            case let .entry(id, seconds):
                guard seconds >= 0, UInt64(seconds) >= cutoff else { parsed.staleLines += 1; continue }
                guard id != selfID else { parsed.selfLines += 1; continue }
                guard ids.insert(id).inserted else { parsed.duplicateLines += 1; continue }
                parsed.entries.append((id, UInt64(seconds)))
            }
        }
        return parsed
    }

    private enum Line {
        /// Blank or a `#` comment.
        case ignorable
        case malformed
        case entry(NodeID, Int64)
    }

    /// One line, without its newline: trimmed, split on runs of whitespace, exactly two fields,
    /// the first 32 bytes of hex (either case), the second a signed 64-bit decimal.
    /// `idBytes` is scratch space reused across lines.
    private static func parseLine(_ line: ArraySlice<UInt8>, idBytes: inout [UInt8]) -> Line {
        var fields: [Range<Int>] = []
        var index = line.startIndex
        while index < line.endIndex {
            guard !ASCII.isWhitespace(line[index]) else { index += 1; continue }
            let start = index
            while index < line.endIndex, !ASCII.isWhitespace(line[index]) { index += 1 }
            if fields.isEmpty, line[start] == ASCII.hash { return .ignorable }
            guard fields.count < 2 else { return .malformed }
            fields.append(start..<index)
        }
        guard fields.count == 2 else { return fields.isEmpty ? .ignorable : .malformed }
        guard decodeHex(line[fields[0]], into: &idBytes), let id = NodeID(bytes: idBytes),
              let seconds = parseSignedDecimal(line[fields[1]])
        else { return .malformed }
        return .entry(id, seconds)
    }

    /// Decodes exactly `output.count` bytes of hex (either case) into `output`.
    private static func decodeHex(_ text: ArraySlice<UInt8>, into output: inout [UInt8]) -> Bool {
        guard text.count == 2 * output.count else { return false }
        var source = text.startIndex
        for i in output.indices {
            guard let high = Hex.nibble(text[source]), let low = Hex.nibble(text[source + 1]) else {
                return false
            }
            output[i] = high << 4 | low
            source += 2
        }
        return true
    }

    /// A base-10 Int64 with an optional `+` or `-` sign (Go's `strconv.ParseInt(s, 10, 64)`);
    /// nil when empty, not all digits, or out of range.
    static func parseSignedDecimal(_ text: ArraySlice<UInt8>) -> Int64? {
        var digits = text
        var negative = false
        if let sign = digits.first, sign == ASCII.plus || sign == ASCII.minus {
            negative = sign == ASCII.minus
            digits = digits.dropFirst()
        }
        guard !digits.isEmpty else { return nil }
        var magnitude: UInt64 = 0
        for c in digits {
            guard c >= ASCII.zero, c <= ASCII.nine else { return nil }
            let (shifted, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = shifted.addingReportingOverflow(UInt64(c - ASCII.zero))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
        }
        if negative {
            // Int64.min's magnitude is one more than Int64.max.
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }
}

/// The bytes the seen-peers format is made of.
private enum ASCII {
    static let newline = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let hash = UInt8(ascii: "#")
    static let plus = UInt8(ascii: "+")
    static let minus = UInt8(ascii: "-")
    static let zero = UInt8(ascii: "0")
    static let nine = UInt8(ascii: "9")

    /// The whitespace Go's `strings.TrimSpace`/`Fields` treat as such within ASCII:
    /// space, \t, \n, \v, \f, \r.
    static func isWhitespace(_ c: UInt8) -> Bool {
        c == space || (c >= 0x09 && c <= 0x0d)
    }
}

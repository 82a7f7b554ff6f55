/// Closest known names to a mistyped one, for `-32601` `data.suggestions` and the
/// `did_you_mean` of an unknown parameter (docs/jsonrpc.md, "Errors"). Distance is
/// optimal-string-alignment (Levenshtein plus adjacent swaps, so "pnig" is one step from
/// "ping"); only names within one edit per four characters (at most two) count, so a wild
/// guess gets no suggestions rather than noise.
public enum NameSuggestions {
    /// Best first (smallest distance, then alphabetical), at most `limit`.
    public static func closest(to typed: String, among names: some Sequence<String>, limit: Int = 3) -> [String] {
        let t = Array(typed.lowercased().unicodeScalars)
        let allowed = max(1, min(2, (t.count + 1) / 4))
        var scored: [(Int, String)] = []
        for name in names {
            let n = Array(name.lowercased().unicodeScalars)
            var d = distance(t, n, cap: allowed)
            // "ping" for "node.ping": the name without its namespace is a fair match too.
            if d > allowed, let dot = name.lastIndex(of: ".") {
                let tail = Array(name[name.index(after: dot)...].lowercased().unicodeScalars)
                if distance(t, tail, cap: allowed) <= allowed { d = allowed }
            }
            if d <= allowed { scored.append((d, name)) }
        }
        scored.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        return scored.prefix(limit).map(\.1)
    }

    /// Optimal string alignment distance; anything above `cap` is reported as `cap + 1`.
    static func distance(_ a: [Unicode.Scalar], _ b: [Unicode.Scalar], cap: Int) -> Int {
        if abs(a.count - b.count) > cap { return cap + 1 }
        if a.isEmpty || b.isEmpty { return max(a.count, b.count) }
        var prev2 = [Int](repeating: 0, count: b.count + 1)
        var prev = Array(0...b.count)
        var cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            cur[0] = i
            var rowMin = cur[0]
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { v = min(v, prev2[j - 2] + 1) }
                cur[j] = v
                rowMin = min(rowMin, v)
            }
            if rowMin > cap { return cap + 1 }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return min(prev[b.count], cap + 1)
    }
}

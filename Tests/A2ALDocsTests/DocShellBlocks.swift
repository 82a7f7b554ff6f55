import A2ALTestSupport
/// The ```sh blocks of a Markdown page, with what the docs tests should do with each.
///
/// A block runs in order unless the comment line right before its fence says otherwise:
/// `<!-- doc-test: skip (why) -->` (installs software, needs root, ...) or
/// `<!-- doc-test: background (why) -->` (a long-running command, such as the daemon).
struct DocShellBlocks {
    enum Kind: Equatable { case run, skip, background }

    struct Block: Equatable {
        let kind: Kind
        let text: String
        /// 1-based line of the opening fence, for messages.
        let line: Int
    }

    let blocks: [Block]

    init(markdown: String) throws {
        var out: [Block] = []
        var pending: Kind?
        var current: (kind: Kind, line: Int, lines: [String])?
        for (index, raw) in markdown.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            if var block = current {
                if line.hasPrefix("```") {
                    out.append(Block(kind: block.kind, text: block.lines.joined(separator: "\n"), line: block.line))
                    current = nil
                } else {
                    block.lines.append(line)
                    current = block
                }
                continue
            }
            let trimmed = line.trimmingSpaces
            if trimmed.hasPrefix("<!-- doc-test:") {
                guard let kind = Self.kind(of: trimmed) else {
                    throw TestFileError("line \(index + 1): unknown doc-test marker \(trimmed)")
                }
                pending = kind
            } else if trimmed == "```sh" {
                current = (pending ?? .run, index + 1, [])
                pending = nil
            } else if !trimmed.isEmpty {
                pending = nil  // a marker belongs to the block right after it
            }
        }
        if let current { throw TestFileError("line \(current.line): the ```sh block is never closed") }
        blocks = out
    }

    func of(_ kind: Kind) -> [Block] { blocks.filter { $0.kind == kind } }

    private static func kind(of marker: String) -> Kind? {
        if marker.hasPrefix("<!-- doc-test: skip") { return .skip }
        if marker.hasPrefix("<!-- doc-test: background") { return .background }
        return nil
    }
}

private extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first?.isWhitespace == true { s = s.dropFirst() }
        while s.last?.isWhitespace == true { s = s.dropLast() }
        return String(s)
    }
}

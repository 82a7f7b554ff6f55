import A2ALTestSupport
import Foundation
import Testing

/// docs/reference.md is what scripts/gen-reference.py makes from the schema files; a stale copy
/// (schema edited, script not run) fails here, as does a page that leaves out a method or event.
@Suite struct ReferenceDocTests {
    static let path = "docs/reference.md"

    @Test(.enabled(if: GeneratorCheck.available, "needs python3 to run the generator"))
    func generatorReportsNothingStale() throws {
        let check = try GeneratorCheck.run("scripts/gen-reference.py")
        #expect(check.status == 0, "gen-reference.py --check: \(check.message)")
    }

    /// Every schema/methods/<name>.json has a heading in the methods part of the page and every
    /// schema/events/<name>.json one in the Events section.
    @Test func everyMethodAndEventHasAHeading() throws {
        let text = String(decoding: try PackageRoot.read(Self.path), as: UTF8.self)
        let catalog = try SchemaCatalog.shared()
        let sections = Self.headings(in: text)
        let events = try #require(sections.firstIndex { $0.level == 2 && $0.text == "Events" }, "\(Self.path) has no \"## Events\" section")
        let shared = try #require(sections.firstIndex { $0.level == 2 && $0.text == "Shared types" }, "\(Self.path) has no \"## Shared types\" section")
        #expect(events < shared, "Events must come before Shared types")
        let methodHeadings = Set(sections[..<events].filter { $0.level == 3 }.map(\.text))
        let eventHeadings = Set(sections[events..<shared].filter { $0.level == 3 }.map(\.text))
        #expect(!catalog.methods.isEmpty && !catalog.events.isEmpty)
        for name in catalog.methods.keys.sorted() {
            let found = methodHeadings.contains(name)
            #expect(found, "\(Self.path) has no heading for method \(name); run scripts/gen-reference.py")
        }
        for name in catalog.events.keys.sorted() {
            let found = eventHeadings.contains(name)
            #expect(found, "\(Self.path) has no heading for event \(name) under Events; run scripts/gen-reference.py")
        }
    }

    /// ATX headings outside fenced code blocks, with the code backticks around the text removed.
    static func headings(in text: String) -> [(level: Int, text: String)] {
        var out: [(level: Int, text: String)] = []
        var inFence = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") {
                inFence.toggle()
                continue
            }
            guard !inFence, line.hasPrefix("#") else { continue }
            let level = line.prefix(while: { $0 == "#" }).count
            let rest = line.dropFirst(level)
            guard rest.hasPrefix(" ") else { continue }
            var title = Substring(rest.trimmingCharacters(in: .whitespaces))
            while title.hasPrefix("`"), title.hasSuffix("`"), title.count >= 2 {
                title = title.dropFirst().dropLast()
            }
            out.append((level, String(title)))
        }
        return out
    }
}

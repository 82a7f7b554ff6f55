import A2ALRPC
import Testing

/// The line framer on its own: every way bytes can be cut, and the limit to the byte.
@Suite
struct LineFramerTests {
    private func feed(_ framer: inout LineFramer, _ text: String, into lines: inout [String]) -> LineFramer.Outcome {
        var collected: [String] = []
        let outcome = Array(text.utf8).withUnsafeBytes { bytes in
            framer.feed(bytes) { line in
                collected.append(String(decoding: line, as: UTF8.self))
                return true
            }
        }
        lines += collected
        return outcome
    }

    @Test func joinsLinesAcrossAnyCut() {
        let stream = "first\r\nsecond\n\nthird line\n"
        for cut in 0...stream.utf8.count {
            var framer = LineFramer(maxLineBytes: 64)
            var lines: [String] = []
            let bytes = Array(stream.utf8)
            _ = feed(&framer, String(decoding: bytes[..<cut], as: UTF8.self), into: &lines)
            _ = feed(&framer, String(decoding: bytes[cut...], as: UTF8.self), into: &lines)
            #expect(lines == ["first", "second", "", "third line"], "cut at \(cut)")
            #expect(framer.bufferedBytes == 0)
        }
    }

    @Test func limitCountsContentNotTerminator() {
        var framer = LineFramer(maxLineBytes: 4)
        var lines: [String] = []
        #expect(feed(&framer, "abcd\n", into: &lines) == .consumed)
        #expect(feed(&framer, "abcd\r", into: &lines) == .consumed)
        #expect(feed(&framer, "\n", into: &lines) == .consumed)
        #expect(lines == ["abcd", "abcd"])
        #expect(feed(&framer, "abcde", into: &lines) == .tooLong)
        #expect(framer.bufferedBytes == 0)

        var crlf = LineFramer(maxLineBytes: 4)
        #expect(feed(&crlf, "abcd\rx", into: &lines) == .tooLong)
        var split = LineFramer(maxLineBytes: 4)
        #expect(feed(&split, "ab", into: &lines) == .consumed)
        #expect(feed(&split, "cde\n", into: &lines) == .tooLong)
    }

    @Test func oneHugeReadIsRejectedWithoutBeingBuffered() {
        var framer = LineFramer(maxLineBytes: 1024)
        var lines: [String] = []
        let outcome = feed(&framer, "ok\n" + String(repeating: "x", count: 1 << 20), into: &lines)
        #expect(outcome == .tooLong)
        #expect(lines == ["ok"])
        #expect(framer.bufferedBytes == 0)
    }

    @Test func stopsWhenTheReceiverSaysSo() {
        var framer = LineFramer(maxLineBytes: 64)
        var seen = 0
        let outcome = Array("a\nb\nc\n".utf8).withUnsafeBytes { bytes in
            framer.feed(bytes) { _ in
                seen += 1
                return seen < 2
            }
        }
        // "a\nb\n" was consumed; "c\n" is left for the caller to feed again.
        #expect(outcome == .stopped(consumed: 4))
        #expect(seen == 2)
    }

    @Test func stoppedInputCanBeFedAgainWithoutLosingALine() {
        var framer = LineFramer(maxLineBytes: 64)
        let input = Array(#"{"a":1}"#.utf8) + [0x0A] + Array("second\nthi".utf8)
        var lines: [String] = []
        let first = input.withUnsafeBytes { bytes in
            framer.feed(bytes) { line in
                lines.append(String(decoding: line, as: UTF8.self))
                return false
            }
        }
        guard case .stopped(let consumed) = first else {
            Issue.record("expected .stopped, got \(first)")
            return
        }
        #expect(consumed == 8)
        let rest = Array(input[consumed...]) + Array("rd\n".utf8)
        let second = rest.withUnsafeBytes { bytes in
            framer.feed(bytes) { line in
                lines.append(String(decoding: line, as: UTF8.self))
                return true
            }
        }
        #expect(second == .consumed)
        #expect(lines == [#"{"a":1}"#, "second", "third"])
    }
}

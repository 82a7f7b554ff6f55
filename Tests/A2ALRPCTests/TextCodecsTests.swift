import Testing
@testable import A2ALRPC

@Suite struct TextCodecsTests {
    @Test func base64RoundTripsEveryLength() {
        for n in 0..<40 {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let text = Base64Text.encode(bytes)
            #expect(Base64Text.decode(text) == bytes)
        }
        #expect(Base64Text.encode(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Base64Text.encode(Array("fo".utf8)) == "Zm8=")
    }

    @Test func base64RejectsMalformedText() {
        for bad in ["Zm9", "Zm9v!", "Zg==Zg==", "Zh==", "Zm9=", " Zm9v"] { #expect(Base64Text.decode(bad) == nil, "\(bad)") }
    }

}

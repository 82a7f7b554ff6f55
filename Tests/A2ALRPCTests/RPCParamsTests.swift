import Testing
@testable import A2ALRPC

@Suite struct RPCParamsTests {
    /// The error an accessor throws, or a test failure if it did not throw.
    private func failure<T>(_ body: () throws(RPCError) -> T) -> RPCError? {
        do throws(RPCError) {
            let v = try body()
            Issue.record("expected an error, got \(v)")
            return nil
        } catch {
            return error
        }
    }

    @Test func u64AcceptsDecimalStringsAndIntegersAndNamesBadValues() throws {
        let p = RPCParams(["a": "18446744073709551615", "b": 7, "c": .bigInt("18446744073709551615")])
        #expect(try p.optionalU64("a") == UInt64.max)
        #expect(try p.optionalU64("b") == 7)
        #expect(try p.optionalU64("c") == UInt64.max)
        #expect(try p.optionalU64("absent") == nil)
        let bad: [(JSONValue, String)] = [
            ("18446744073709551616", "18446744073709551616 is above 18446744073709551615"),
            (.bigInt("18446744073709551616"), "18446744073709551616 is above 18446744073709551615"),
            ("-1", "must not be negative"), (-1, "must not be negative"),
            ("1.5", "\"1.5\" is not a decimal integer"), (1.5, "expected an integer (a decimal string or a JSON integer), got a fraction"),
            ("007", "\"007\" is not a decimal integer"), ("", "\"\" is not a decimal integer"),
            (true, "expected an integer as a decimal string or a JSON integer, got boolean"),
        ]
        for (value, reason) in bad {
            let e = failure { () throws(RPCError) in _ = try RPCParams(["since": value]).optionalU64("since") }
            #expect(e?.code == -32602 && e?.data?["field"] == "since", "\(value)")
            #expect(e?.data?["reason"]?.stringValue == reason, "\(value): \(String(describing: e))")
        }
    }

    @Test func unknownParameterIsNamed() throws {
        let p = RPCParams(["timeout_ms": 5, "timout_ms": 6])
        _ = try p.timeout(defaultMs: 1000)
        let e = failure { () throws(RPCError) in try p.finish() }
        #expect(e?.code == -32602)
        #expect(e?.message == "invalid params: timout_ms: unknown parameter; did you mean timeout_ms?")
        #expect(e?.data == ["field": "timout_ms", "reason": "unknown parameter; did you mean timeout_ms?",
                            "unknown": "timout_ms", "did_you_mean": "timeout_ms"])
    }

    @Test func finishPassesWhenEverythingWasRead() throws {
        let p = RPCParams(["a": "x", "b": nil])
        #expect(try p.string("a") == "x")
        #expect(try p.optionalString("b") == nil)
        try p.finish()
    }

    @Test func wrongTypes() {
        let p = RPCParams(["s": 1, "b": "yes", "i": "3", "f": 1.5, "a": ["x", 1], "o": [1]])
        #expect(failure { () throws(RPCError) in try p.string("s") }?.message == "invalid params: s: expected string, got number")
        #expect(failure { () throws(RPCError) in try p.bool("b", default: false) }?.message == "invalid params: b: expected boolean, got string")
        #expect(failure { () throws(RPCError) in try p.int("i", in: 0...9) }?.message == "invalid params: i: expected integer, got string")
        #expect(failure { () throws(RPCError) in try p.int("f", in: 0...9) }?.message == "invalid params: f: expected an integer, got a fraction")
        #expect(failure { () throws(RPCError) in try p.stringArray("a", maxCount: 5) }?.message == "invalid params: a[1]: expected string, got number")
        #expect(failure { () throws(RPCError) in try p.nested("o") }?.message == "invalid params: o: expected object, got array")
    }

    @Test func missingAndRange() throws {
        let p = RPCParams(["timeout_ms": 700_000, "n": 2.0])
        #expect(failure { () throws(RPCError) in try p.string("name") }?.message == "invalid params: name: required string is missing")
        #expect(failure { () throws(RPCError) in try p.timeout(defaultMs: 5000) }?.message
                == "invalid params: timeout_ms: 700000 is out of range 1...600000")
        #expect(try p.int("n", in: 0...5) == 2)
        // An integer beyond Int64 is out of range, not "a fraction".
        let big = RPCParams(["timeout_ms": .bigInt("123456789012345678901234567890")])
        #expect(failure { () throws(RPCError) in try big.timeout(defaultMs: 5000) }?.message
                == "invalid params: timeout_ms: 123456789012345678901234567890 is out of range 1...600000")
        #expect(try RPCParams().timeout(defaultMs: 5000) == .milliseconds(5000))
    }

    @Test func shapedStrings() throws {
        let p = RPCParams(["blob": "Zm9v", "bad": "Zm9", "h": "bad", "big": "Zm9vYmFy"])
        #expect(try p.base64("blob", maxBytes: 10) == Array("foo".utf8))
        #expect(failure { () throws(RPCError) in try p.base64("bad", maxBytes: 10) }?.message == "invalid params: bad: not valid base64")
        #expect(failure { () throws(RPCError) in try p.base64("big", maxBytes: 3) }?.message == "invalid params: big: 6 bytes; at most 3 allowed")
        #expect(failure { () throws(RPCError) in try p.choice("h", ["good", "bad2"]) }?.message
                == "invalid params: h: \"bad\" is not one of good, bad2")
    }

    @Test func nestedPaths() throws {
        let p = RPCParams(["filter": ["tags": ["a", 5], "x": 1], "records": [["ttl_s": "x"]]])
        let filter = try #require(try p.nested("filter"))
        #expect(failure { () throws(RPCError) in try filter.stringArray("tags", maxCount: 4) }?.message
                == "invalid params: filter.tags[1]: expected string, got number")
        #expect(failure { () throws(RPCError) in try filter.finish() }?.message == "invalid params: filter.x: unknown parameter")
        let records = try #require(try p.objectArray("records", maxCount: 4))
        #expect(failure { () throws(RPCError) in try records[0].int("ttl_s", in: 1...10) }?.message
                == "invalid params: records[0].ttl_s: expected integer, got string")
        #expect(failure { () throws(RPCError) in try p.objectArray("filter", maxCount: 1) }?.message
                == "invalid params: filter: expected array, got object")
    }
}

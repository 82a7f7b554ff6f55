import A2ALCore

extension Publication {
    /// Why this publication cannot be stored, or nil when it is well formed: the checks
    /// `publications.json` is loaded with, applied to new entries too so a bad one is never
    /// written.
    var fault: String? {
        if !Self.isLowercaseHex(id, count: 16) {
            return "id \"\(id)\" must be 16 lowercase hex characters"
        }
        if !Self.isLowercaseHex(key, count: 64) {
            return "key \"\(key)\" must be 64 lowercase hex characters"
        }
        do {
            _ = try Address(text: agent)
        } catch {
            return "agent \"\(agent)\" is not a valid address (\(error))"
        }
        let present = [endpoint != nil ? "endpoint" : nil, topicFields != nil ? "topic" : nil,
                       custom != nil ? "custom" : nil].compactMap { $0 }
        guard present == [kind.rawValue] else {
            let found = present.isEmpty ? "none" : present.joined(separator: ", ")
            return "kind \"\(kind.rawValue)\" needs exactly the \"\(kind.rawValue)\" fields, found: \(found)"
        }
        return nil
    }

    static func isLowercaseHex(_ text: String, count: Int) -> Bool {
        text.utf8.count == count && text.utf8.allSatisfy {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
        }
    }
}

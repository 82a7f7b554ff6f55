import A2ALRPC

/// A test's own failure (a reply that breaks the contract, a wait that ran out), with a message.
package struct ContractFailure: Error, CustomStringConvertible {
    package let description: String
    package init(description: String) { self.description = description }
}

extension Array where Element == UInt8 {
    package var text: String { String(decoding: self, as: UTF8.self) }
}

extension JSONValue {
    /// A member that must be a string, or "" (the test then fails on the value it compares).
    package func str(_ key: String) -> String { self[key]?.stringValue ?? "" }
}

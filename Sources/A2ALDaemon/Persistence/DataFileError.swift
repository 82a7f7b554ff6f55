import A2ALCore

/// A problem with a file in the data directory, always naming the file, so an operator reading
/// the log knows which file to look at (docs/jsonrpc.md, "Configuration and data directory").
package struct DataFileError: Error, Sendable, Equatable, CustomStringConvertible {
    package let path: String
    package let reason: String

    package init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// Carries over a low-level file-system failure, which already names its file.
    package init(_ error: FileError) {
        self.init(path: error.path, reason: error.reason)
    }

    package var description: String { "\(path): \(reason)" }
}

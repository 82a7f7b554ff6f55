import A2ALCore

/// A problem with a file in the data directory, always naming the file, so an operator reading
/// the log knows which file to look at (design.md, "Data directory").
public struct DataFileError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// Carries over a low-level file-system failure, which already names its file.
    public init(_ error: FileError) {
        self.init(path: error.path, reason: error.reason)
    }

    public var description: String { "\(path): \(reason)" }
}

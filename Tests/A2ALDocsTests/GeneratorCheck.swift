import A2ALTestSupport
import Foundation

/// Runs one of the schema generators in `--check` mode: its exit status and what it said on
/// stderr (which files are stale).
enum GeneratorCheck {
    static let available = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")

    static func run(_ script: String) throws -> (status: Int32, message: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        p.arguments = [PackageRoot.file(script), "--check"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, message)
    }
}

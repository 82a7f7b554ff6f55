import A2ALRPC
import Foundation

/// Files of the package the tests read (schema/, docs/), located from this source file so the
/// tests work from any working directory.
package enum PackageRoot {
    /// .../Tests/A2ALTestSupport/PackageRoot.swift → the directory holding Package.swift.
    package static let path: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    package static func file(_ relative: String) -> String { path + "/" + relative }

    /// The bytes of a package file; the error names the file.
    package static func read(_ relative: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: file(relative)) else {
            throw TestFileError("cannot read \(relative)")
        }
        return [UInt8](data)
    }

    /// A package file parsed as JSON; the error names the file and where the text is wrong.
    package static func json(_ relative: String) throws -> JSONValue {
        let bytes = try read(relative)
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw TestFileError("\(relative): not valid JSON: \(error)")
        }
    }

    /// Names of the entries of a package directory, sorted.
    package static func list(_ relative: String) throws -> [String] {
        do {
            return try FileManager.default.contentsOfDirectory(atPath: file(relative)).sorted()
        } catch {
            throw TestFileError("cannot list \(relative): \(error)")
        }
    }
}

/// A test-support failure with a message that says which file and what went wrong.
package struct TestFileError: Error, CustomStringConvertible {
    package let description: String
    package init(_ description: String) { self.description = description }
}

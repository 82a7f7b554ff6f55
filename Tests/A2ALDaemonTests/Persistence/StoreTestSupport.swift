import Foundation
import Glibc

/// A fresh directory under /tmp, removed with everything in it when released.
final class StoreTestDirectory {
    let path: String

    init() throws {
        var template = Array("/tmp/a2ald-store-test-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw StoreTestFailure("mkdtemp failed: errno \(errno)") }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ text: String, to name: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: file(name)))
    }

    func read(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: file(name))), as: UTF8.self)
    }

    /// The JSON object in a file, for checking the documented on-disk format.
    func json(_ name: String) throws -> [String: Any] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file(name))))
        guard let dictionary = object as? [String: Any] else { throw StoreTestFailure("\(name) is not an object") }
        return dictionary
    }
}

struct StoreTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Permission bits of a file or directory, or nil if it cannot be examined.
func storeTestMode(_ path: String) -> mode_t? {
    var status = stat()
    guard stat(path, &status) == 0 else { return nil }
    return status.st_mode & 0o7777
}

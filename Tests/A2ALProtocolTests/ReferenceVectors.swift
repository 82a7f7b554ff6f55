import Foundation
import A2ALCore

/// Loads a reference vector file from `shared/vectors/` beside the package root (by default
/// `reference-v0.1.7.json`), the bytes the reference implementation produced. A missing or
/// unreadable file is a test failure.
struct ReferenceVectors {
    static let v017File = "reference-v0.1.7.json"
    static let v029File = "reference-v0.2.9.json"

    let root: [String: Any]

    enum LoadError: Error, CustomStringConvertible {
        case missing(String), malformed(String)
        var description: String {
            switch self {
            case .missing(let p): return "reference vectors not found at \(p)"
            case .malformed(let r): return "reference vectors malformed: \(r)"
            }
        }
    }

    static func packageRoot(from file: String = #filePath) -> URL {
        var url = URL(fileURLWithPath: file).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }

    static func path(file: String) -> String {
        packageRoot().deletingLastPathComponent().appendingPathComponent("shared/vectors/\(file)").path
    }

    static var path: String { path(file: v017File) }

    static func load(file: String = v017File) throws -> ReferenceVectors {
        let location = path(file: file)
        guard let data = FileManager.default.contents(atPath: location) else { throw LoadError.missing(location) }
        guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw LoadError.malformed("top level is not an object")
        }
        return ReferenceVectors(root: obj)
    }

    func list(_ name: String) throws -> [[String: Any]] {
        guard let l = root[name] as? [[String: Any]], !l.isEmpty else { throw LoadError.malformed("no section \(name)") }
        return l
    }

    func object(_ name: String) throws -> [String: Any] {
        guard let o = root[name] as? [String: Any] else { throw LoadError.malformed("no section \(name)") }
        return o
    }

    /// The Ed25519 key pair of the identity with `label`.
    func keyPair(label: String) throws -> Ed25519.KeyPair {
        for id in try list("identities") where id["label"] as? String == label {
            return try Ed25519.KeyPair(seed: try hex(id, "seed"))
        }
        throw LoadError.malformed("no identity \(label)")
    }
}

/// Hex field `key` of a JSON object, decoded.
func hex(_ obj: [String: Any], _ key: String) throws -> [UInt8] {
    guard let s = obj[key] as? String, let b = [UInt8](hex: s) else {
        throw ReferenceVectors.LoadError.malformed("field \(key) is not hex")
    }
    return b
}

/// Integer field `key` of a JSON object.
func int(_ obj: [String: Any], _ key: String) throws -> UInt64 {
    guard let n = obj[key] as? NSNumber else { throw ReferenceVectors.LoadError.malformed("field \(key) is not a number") }
    return n.uint64Value
}

func string(_ obj: [String: Any], _ key: String) throws -> String {
    guard let s = obj[key] as? String else { throw ReferenceVectors.LoadError.malformed("field \(key) is not a string") }
    return s
}

import A2ALCore
import A2ALRPC
import Foundation

/// Reading and writing the data directory's JSON files: crash-safe writes through `AtomicFile`
/// (mode 0600 — these files hold keys or say what the node does), and reads whose every failure
/// is a `DataFileError` naming the file and, for bad content, where in the file the fault is.
enum JSONDataFile {
    /// Far larger than any sane agents, publications or peers file, small enough that a
    /// wrong path pointing at a huge file fails at once.
    static let maxBytes = 16 << 20

    /// The file's bytes, or nil when it does not exist (a fresh data directory).
    static func readIfPresent(_ path: String) throws(DataFileError) -> [UInt8]? {
        do throws(FileError) {
            return try AtomicFile.read(path, maxBytes: maxBytes)
        } catch where error.isNotFound {
            return nil
        } catch {
            throw DataFileError(error)
        }
    }

    /// Decodes a versioned file: the top level must be an object whose "version" is
    /// `version`, checked first so that a file from a newer daemon says so instead of
    /// failing on whatever field changed shape.
    static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], path: String,
                                     version: Int) throws(DataFileError) -> T {
        guard case .object(let top) = try parse(bytes, path: path) else {
            throw DataFileError(path: path, reason: "top level: expected an object")
        }
        guard let found = top["version"] else {
            throw DataFileError(path: path, reason: "missing key \"version\" (not an a2ald data file?)")
        }
        guard found.intValue == Int64(version) else {
            let reason = found.intValue == nil ? "version: expected an integer"
                : "unsupported version \(found.compactText) (this daemon reads version \(version))"
            throw DataFileError(path: path, reason: reason)
        }
        return try typed(type, from: bytes, path: path)
    }

    /// Strict JSON, read by the same parser as every JSON-RPC request so that the daemon has
    /// one dialect; a fault says where it is ("line 3, column 17: trailing comma").
    static func parse(_ bytes: [UInt8], path: String) throws(DataFileError) -> JSONValue {
        do throws(JSONParseError) {
            return try JSONParser.parse(bytes)
        } catch {
            throw DataFileError(path: path, reason: error.located(in: bytes))
        }
    }

    /// Maps JSON that `parse` accepted onto `T`; a mismatch names where ("agents[2].label").
    static func typed<T: Decodable>(_ type: T.Type, from bytes: [UInt8], path: String,
                                    context: String = "") throws(DataFileError) -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(bytes))
        } catch let error as DecodingError {
            throw DataFileError(path: path, reason: context + readable(error))
        } catch {
            throw DataFileError(path: path, reason: context + "cannot decode: \(error)")
        }
    }

    /// Encodes `value` for people to read (sorted keys, indented) and writes it atomically.
    static func write<T: Encodable>(_ value: T, to path: String) throws(DataFileError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let data: Data
        do {
            data = try encoder.encode(value)
        } catch {
            // Our file types hold only strings, integers and arrays; this cannot happen, but it
            // must not crash the daemon if it ever does.
            throw DataFileError(path: path, reason: "cannot encode: \(error)")
        }
        do throws(FileError) {
            try AtomicFile.write(Array(data) + [UInt8(ascii: "\n")], to: path, mode: 0o600)
        } catch {
            throw DataFileError(error)
        }
    }

    /// A decoding failure in terms of the file: where ("agents[2].label") and what is wrong.
    private static func readable(_ error: DecodingError) -> String {
        switch error {
        case .typeMismatch(let type, let context):
            return "\(location(context.codingPath)): expected \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "\(location(context.codingPath)): expected \(typeName(type)), found null"
        case .keyNotFound(let key, let context):
            let parent = context.codingPath.isEmpty ? "top level" : location(context.codingPath)
            return "\(parent): missing key \"\(key.stringValue)\""
        case .dataCorrupted(let context):
            return "\(location(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "cannot decode: \(error)"
        }
    }

    /// "agents[2].label" from a coding path.
    private static func location(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return out.isEmpty ? "top level" : out
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        case is Int.Type, is UInt64.Type, is UInt32.Type, is UInt8.Type, is Int64.Type: return "an integer"
        case is [Any].Type: return "an array"
        default:
            let name = "\(type)"
            if name.hasPrefix("Array") { return "an array" }
            if name.hasPrefix("Dictionary") { return "an object" }
            return "an object"
        }
    }
}

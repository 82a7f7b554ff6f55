import A2ALThreads
import Glibc
import Synchronization

/// The node's single Ed25519 identity, kept in `<directory>/identity.key`.
///
/// The file is text so a person can recognise it:
///
///     a2al-ed25519-seed-v1
///     <64 lowercase hex characters of the 32-byte seed>
///
/// with a newline after each line. It is written crash-safely with mode 0600 and, like ssh,
/// refused when group or others may access it, because the seed is the whole identity.
public final class FileKeyStore: KeyStore {
    public static let fileName = "identity.key"
    static let magic = "a2al-ed25519-seed-v1"
    /// Much larger than a valid file (86 bytes), but small enough that pointing the store at
    /// a huge file fails fast instead of reading it.
    static let maxFileBytes = 4096

    public let directory: String
    /// The key file's full path.
    public var keyFilePath: String { Self.keyFilePath(in: directory) }

    private let identity: SleepingLock<Ed25519.KeyPair?>

    private init(directory: String, identity: Ed25519.KeyPair?) {
        self.directory = directory
        self.identity = SleepingLock(identity)
    }

    /// Opens the store in `directory`, creating the directory (0700) and a fresh identity
    /// if they are missing. This is what a node calls at start-up.
    public static func openOrCreate(directory: String) throws -> FileKeyStore {
        do throws(FileError) {
            try AtomicFile.ensureDirectory(directory, mode: 0o700)
        } catch {
            throw KeyStoreError.io(error)
        }
        let store = try open(directory: directory)
        guard store.list().isEmpty else { return store }
        do {
            _ = try store.generate()
        } catch KeyStoreError.identityExists {
            // Another process created the identity between our load and our write; generate
            // has loaded it, so the store is ready.
        }
        return store
    }

    /// Opens the store in an existing `directory`. If it holds no key file yet, the store is
    /// empty and `generate()` creates one; a key file that exists must be valid.
    public static func open(directory: String) throws -> FileKeyStore {
        var status = stat()
        guard stat(directory, &status) == 0 else {
            throw KeyStoreError.io(.system(directory, "cannot open key store directory"))
        }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw KeyStoreError.io(FileError(path: directory, reason: "not a directory", code: ENOTDIR))
        }
        return FileKeyStore(directory: directory, identity: try load(keyFilePath(in: directory)))
    }

    /// Creates the identity and writes it to disk before it is used, so a node never signs
    /// with a key it could lose. Throws `identityExists` if the store already has one.
    public func generate() throws -> Address {
        let path = keyFilePath
        return try identity.withLock { (current: inout Ed25519.KeyPair?) throws -> Address in
            if let existing = current { throw KeyStoreError.identityExists(existing.address) }
            let pair = Ed25519.KeyPair.generate()
            do throws(FileError) {
                // No-replace write: never overwrite a key file another process just made.
                try AtomicFile.write(Self.encode(seed: pair.seed), to: path, mode: 0o600, replaceExisting: false)
            } catch let error where error.code == EEXIST {
                let winner = try Self.load(path)
                current = winner
                throw KeyStoreError.identityExists(winner?.address ?? pair.address)
            } catch {
                throw KeyStoreError.io(error)
            }
            current = pair
            return pair.address
        }
    }

    public func sign(address: Address, data: [UInt8]) throws -> [UInt8] {
        try keyPair(address).sign(data)
    }

    public func publicKey(address: Address) throws -> [UInt8] {
        try keyPair(address).publicKey
    }

    public func list() -> [Address] {
        identity.withLock { $0.map { [$0.address] } ?? [] }
    }

    private func keyPair(_ address: Address) throws(KeyStoreError) -> Ed25519.KeyPair {
        guard let pair = identity.withLock({ $0 }), pair.address == address else {
            throw .unknownAddress(address)
        }
        return pair
    }

    // MARK: - File format

    static func keyFilePath(in directory: String) -> String {
        directory.hasSuffix("/") ? directory + fileName : directory + "/" + fileName
    }

    /// The file's bytes for `seed`.
    static func encode(seed: [UInt8]) -> [UInt8] {
        Array("\(magic)\n\(Hex.encode(seed))\n".utf8)
    }

    /// Loads the key file at `path`: nil when there is none, the key pair when it is valid,
    /// otherwise an error naming the file and the problem.
    static func load(_ path: String) throws(KeyStoreError) -> Ed25519.KeyPair? {
        let bytes: [UInt8]
        do throws(FileError) {
            bytes = try AtomicFile.read(path, maxBytes: maxFileBytes, check: permissionProblem)
        } catch where error.isNotFound {
            return nil
        } catch {
            throw .io(error)
        }
        do {
            return try Ed25519.KeyPair(seed: parse(bytes))
        } catch let reason as MalformedReason {
            throw .malformedKeyFile(path: path, reason: reason.text)
        } catch {
            // parse guarantees 32 bytes, which KeyPair always accepts.
            throw .malformedKeyFile(path: path, reason: "\(error)")
        }
    }

    /// The ssh rule: a secret key that group or others can read (or write) is refused, since
    /// it may already be compromised and silently using it would hide that.
    static func permissionProblem(_ status: stat) -> String? {
        let mode = status.st_mode & 0o777
        guard mode & 0o077 != 0 else { return nil }
        var octal = String(mode, radix: 8)
        while octal.count < 4 { octal = "0" + octal }
        return "permissions \(octal) are too open: the key must not be accessible by group or others; run chmod 600 on it"
    }

    struct MalformedReason: Error { let text: String }

    /// The 32-byte seed from the file's bytes, validated strictly: exactly the two lines, each
    /// ending in "\n", nothing else. Each failure says what was found.
    static func parse(_ bytes: [UInt8]) throws(MalformedReason) -> [UInt8] {
        func fail(_ text: String) -> MalformedReason { MalformedReason(text: text) }
        let newline = UInt8(ascii: "\n")
        guard !bytes.isEmpty else { throw fail("file is empty") }
        guard let end1 = bytes.firstIndex(of: newline) else {
            throw fail(bytes.starts(with: Array("a2al-k1".utf8))
                ? "this is an encrypted Go keystore blob (a2al-k1), which this store does not read"
                : "first line must be \"\(magic)\"")
        }
        var line1 = bytes[..<end1]
        if line1.last == UInt8(ascii: "\r") {
            line1 = line1.dropLast()
            guard !line1.elementsEqual(magic.utf8) else { throw fail("lines must end in \\n, not \\r\\n") }
        }
        guard line1.elementsEqual(magic.utf8) else {
            throw fail("first line must be \"\(magic)\" (this is not an A2AL key file, or a different version)")
        }
        let rest = bytes[(end1 + 1)...]
        guard !rest.isEmpty else { throw fail("the seed line is missing") }
        guard let end2 = rest.firstIndex(of: newline) else {
            throw fail("the seed line must end with a newline")
        }
        let hex = rest[..<end2]
        if let bad = hex.firstIndex(where: { !isLowercaseHexDigit($0) }) {
            let column = bad - hex.startIndex + 1
            throw fail(hex[bad] == UInt8(ascii: "\r")
                ? "lines must end in \\n, not \\r\\n"
                : "seed has a character that is not a lowercase hex digit at column \(column)")
        }
        guard hex.count == 64 else {
            throw fail("seed must be 64 hex characters (32 bytes), found \(hex.count)")
        }
        guard end2 + 1 == bytes.endIndex else {
            throw fail("unexpected data after the seed line (\(bytes.endIndex - end2 - 1) bytes)")
        }
        // Safe: 64 validated hex digits always decode, to exactly 32 bytes.
        guard let seed = Hex.decode(String(decoding: hex, as: UTF8.self)) else {
            throw fail("seed is not valid hex")
        }
        return seed
    }

    private static func isLowercaseHexDigit(_ c: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(c)
    }
}

/// What a DHT node needs from its signer (docs/protocol.md §1.5). Only Ed25519 keys exist here:
/// every node identity and record key on the DHT is Ed25519 (§1.3).
public protocol KeyStore: Sendable {
    /// Creates a new Ed25519 identity and returns its address.
    func generate() throws -> Address
    /// A 64-byte Ed25519 signature over `data` exactly as given (no pre-hashing).
    func sign(address: Address, data: [UInt8]) throws -> [UInt8]
    /// The 32-byte Ed25519 public key of `address`.
    func publicKey(address: Address) throws -> [UInt8]
    /// The addresses held. A DHT node requires exactly one.
    func list() -> [Address]
}

public enum KeyStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No key for this address is held.
    case unknownAddress(Address)
    /// The store holds one identity at most, and already has this one.
    case identityExists(Address)
    /// The key file exists but is not a valid key file; `reason` says what is wrong.
    case malformedKeyFile(path: String, reason: String)
    /// The file system refused (including a key file whose permissions are too open).
    case io(FileError)

    public var description: String {
        switch self {
        case .unknownAddress(let address):
            return "no key held for address \(Hex.encode(address.bytes))"
        case .identityExists(let address):
            return "an identity already exists (address \(Hex.encode(address.bytes)))"
        case .malformedKeyFile(let path, let reason):
            return "\(path): malformed key file: \(reason)"
        case .io(let error):
            return error.description
        }
    }
}

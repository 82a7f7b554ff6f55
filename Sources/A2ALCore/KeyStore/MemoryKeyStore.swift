import A2ALThreads

/// Keys held only in memory: for tests, simulations and short-lived tools.
public final class MemoryKeyStore: KeyStore {
    private struct State {
        var keys: [Address: Ed25519.KeyPair] = [:]
        var order: [Address] = []  // insertion order, so list() is stable
    }

    private let state = SleepingLock(State())

    public init() {}

    /// A store holding one key per 32-byte Ed25519 seed, in order. A repeated seed throws
    /// `identityExists`, since it would silently yield one key where the caller expects two.
    public init(seeds: [[UInt8]]) throws {
        for seed in seeds { try add(Ed25519.KeyPair(seed: seed)) }
    }

    /// Adds a random Ed25519 key.
    public func generate() throws -> Address {
        try add(Ed25519.KeyPair.generate())
    }

    /// Adds an existing key pair; throws `identityExists` if it is already held.
    @discardableResult
    public func add(_ keyPair: Ed25519.KeyPair) throws(KeyStoreError) -> Address {
        let address = keyPair.address
        try state.withLock { (state: inout State) throws(KeyStoreError) in
            guard state.keys[address] == nil else { throw .identityExists(address) }
            state.keys[address] = keyPair
            state.order.append(address)
        }
        return address
    }

    public func sign(address: Address, data: [UInt8]) throws -> [UInt8] {
        // Sign outside the lock: the key pair is an immutable value.
        try keyPair(address).sign(data)
    }

    public func publicKey(address: Address) throws -> [UInt8] {
        try keyPair(address).publicKey
    }

    public func list() -> [Address] {
        state.withLock { $0.order }
    }

    private func keyPair(_ address: Address) throws(KeyStoreError) -> Ed25519.KeyPair {
        guard let pair = state.withLock({ $0.keys[address] }) else { throw .unknownAddress(address) }
        return pair
    }
}

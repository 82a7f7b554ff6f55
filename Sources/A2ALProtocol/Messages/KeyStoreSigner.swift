import A2ALCore

/// A `KeyStore` identity used as a message/record signer.
public struct KeyStoreSigner: MessageSigner {
    public let keyStore: any KeyStore
    public let address: Address
    public let publicKey: [UInt8]

    public init(keyStore: any KeyStore, address: Address) throws {
        self.keyStore = keyStore
        self.address = address
        self.publicKey = try keyStore.publicKey(address: address)
    }

    public func sign(_ message: [UInt8]) throws -> [UInt8] {
        try keyStore.sign(address: address, data: message)
    }
}


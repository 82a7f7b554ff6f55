import Testing
@testable import A2ALCore

@Suite struct Secp256k1Tests {
    /// The scalar 1 as a 32-byte big-endian private key.
    static let one: [UInt8] = Array(repeating: 0, count: 31) + [1]

    /// n − x for a 32-byte big-endian x < n (turns s into the high-s twin).
    static func orderMinus(_ x: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var borrow = 0
        for i in stride(from: 31, through: 0, by: -1) {
            var d = Int(Secp256k1.order[i]) - Int(x[i]) - borrow
            borrow = d < 0 ? 1 : 0
            if d < 0 { d += 256 }
            out[i] = UInt8(d)
        }
        return out
    }

    static func hash(_ text: String) -> [UInt8] { SHA256.hash(Array(text.utf8)) }

    @Test func privateKeyOneIsTheGenerator() throws {
        let key = try Secp256k1.PrivateKey(bytes: Self.one)
        #expect(key.publicKey.compressed.hex
                == "0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
        #expect(key.publicKey.uncompressed.count == 65)
        #expect(key.publicKey.uncompressed[0] == 0x04)
        #expect(Array(key.publicKey.uncompressed[1...32]) == Array(key.publicKey.compressed[1...]))
        #expect(key.publicKey.uncompressed.hex.hasSuffix(
            "483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8"))
    }

    /// Known answers: RFC 6979 signatures by key 1 over the docs/protocol.md §6.2 delegation
    /// hashes, computed independently with python-ecdsa (then normalised to low s).
    @Test(arguments: [
        ("9bd0e1866e198441ebff095c6b36277c03f00a43e24f8faf15c66521a840637a",
         "9bd2474f3f5eb8d182ce2193ee13ef7e788a347faf3f1826da527598a3dfc496"
            + "36dffe5247ca635c273348cc88cb9a5f049ba0e8569431ea380028c056fba36c"),
        ("76c0b9591efe9d436caa0fe34bb76a5ad079ddf5fa8b1b97af28dccc5b977b93",
         "f68de2f94af2bc728edf10beed4589fb005831c42f9e69f8b5aef6a906b24141"
            + "08ac4ad9e90388da73becdc6ec3204c7ad12eb781e5ef82e6302289dde41c114"),
    ])
    func knownAnswerSignatures(hashHex: String, rsHex: String) throws {
        let digest = try #require([UInt8](hex: hashHex))
        let key = try Secp256k1.PrivateKey(bytes: Self.one)
        let (rs, recid) = try key.signRecoverable(messageHash: digest)
        #expect(rs.hex == rsHex)
        let recovered = try Secp256k1.recoverPublicKey(messageHash: digest, compactSignature: rs,
                                                       recoveryID: recid)
        #expect(recovered == key.publicKey)
    }

    @Test func invalidPrivateKeysAreRejected() {
        #expect(throws: CryptoError.self) { try Secp256k1.PrivateKey(bytes: [UInt8](repeating: 0, count: 32)) }
        #expect(throws: CryptoError.self) { try Secp256k1.PrivateKey(bytes: Secp256k1.order) }
        #expect(throws: CryptoError.badLength("secp256k1 private key", expected: 32, got: 31)) {
            try Secp256k1.PrivateKey(bytes: [UInt8](repeating: 1, count: 31))
        }
    }

    /// Signs many hashes until both recovery ids 0 and 1 have been seen, checking each.
    @Test func signRecoverRoundTripForBothRecoveryIDs() throws {
        let key = try Secp256k1.PrivateKey(bytes: Array((1...32).map { UInt8($0) }))
        var seen = Set<Int32>()
        for i in 0..<64 where seen.count < 2 {
            let digest = Self.hash("message \(i)")
            let (rs, recid) = try key.signRecoverable(messageHash: digest)
            #expect(rs.count == 64)
            let recovered = try Secp256k1.recoverPublicKey(messageHash: digest, compactSignature: rs,
                                                           recoveryID: recid)
            #expect(recovered == key.publicKey)
            seen.insert(recid)
        }
        #expect(seen == [0, 1])
    }

    @Test func wrongHashRecoversADifferentKey() throws {
        let key = try Secp256k1.PrivateKey(bytes: Self.one)
        let (rs, recid) = try key.signRecoverable(messageHash: Self.hash("right"))
        let other = try Secp256k1.recoverPublicKey(messageHash: Self.hash("wrong"), compactSignature: rs,
                                                   recoveryID: recid)
        #expect(other != key.publicKey)
    }

    @Test func wrongRecoveryIDRecoversADifferentKey() throws {
        let key = try Secp256k1.PrivateKey(bytes: Self.one)
        let digest = Self.hash("x")
        let (rs, recid) = try key.signRecoverable(messageHash: digest)
        let other = try Secp256k1.recoverPublicKey(messageHash: digest, compactSignature: rs,
                                                   recoveryID: recid ^ 1)
        #expect(other != key.publicKey)
    }

    @Test func outOfRangeScalarsAreRejected() throws {
        let key = try Secp256k1.PrivateKey(bytes: Self.one)
        let digest = Self.hash("range")
        let (rs, recid) = try key.signRecoverable(messageHash: digest)
        let zero = [UInt8](repeating: 0, count: 32)
        let r = Array(rs[0..<32]), s = Array(rs[32..<64])
        let cases: [([UInt8], String)] = [
            (zero + s, "signature r is not in [1, n-1]"),
            (r + zero, "signature s is not in [1, n-1]"),
            (r + Secp256k1.order, "signature s is not in [1, n-1]"),
            (r + [UInt8](repeating: 0xFF, count: 32), "signature s is not in [1, n-1]"),
            (Secp256k1.order + s, "signature r is not in [1, n-1]"),
        ]
        for (bad, message) in cases {
            #expect(throws: CryptoError.secp256k1(message)) {
                try Secp256k1.recoverPublicKey(messageHash: digest, compactSignature: bad, recoveryID: recid)
            }
        }
    }

    @Test func badArgumentsAreTypedErrorsNotAborts() throws {
        let digest = Self.hash("args")
        let rs = [UInt8](repeating: 1, count: 64)
        for recid: Int32 in [-1, 4, 27] {
            #expect(throws: CryptoError.secp256k1("recovery id must be 0-3, got \(recid)")) {
                try Secp256k1.recoverPublicKey(messageHash: digest, compactSignature: rs, recoveryID: recid)
            }
        }
        #expect(throws: CryptoError.badLength("secp256k1 compact signature", expected: 64, got: 65)) {
            try Secp256k1.recoverPublicKey(messageHash: digest, compactSignature: rs + [0], recoveryID: 0)
        }
        #expect(throws: CryptoError.badLength("secp256k1 message hash", expected: 32, got: 31)) {
            try Secp256k1.recoverPublicKey(messageHash: Array(digest.dropLast()), compactSignature: rs,
                                           recoveryID: 0)
        }
    }

    /// Go's verifier does not enforce low-s, so neither may we: (r, n−s) with the recovery id
    /// flipped is the same signature in its other form and recovers the same key.
    @Test func highSStillRecoversTheSameKey() throws {
        let key = try Secp256k1.PrivateKey(bytes: Array(repeating: 0x42, count: 32))
        for i in 0..<8 {
            let digest = Self.hash("high-s \(i)")
            let (rs, recid) = try key.signRecoverable(messageHash: digest)
            let highS = Self.orderMinus(Array(rs[32..<64]))
            #expect(highS.lexicographicallyPrecedes(Array(rs[32..<64])) == false)  // it really is high
            let recovered = try Secp256k1.recoverPublicKey(messageHash: digest,
                                                           compactSignature: Array(rs[0..<32]) + highS,
                                                           recoveryID: recid ^ 1)
            #expect(recovered == key.publicKey)
        }
    }

    @Test func concurrentUseOfTheSharedContext() async throws {
        let key = try Secp256k1.PrivateKey(bytes: Self.one)
        let ok = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<32 {
                group.addTask {
                    let digest = Self.hash("concurrent \(i)")
                    let (rs, recid) = try key.signRecoverable(messageHash: digest)
                    let pub = try Secp256k1.recoverPublicKey(messageHash: digest, compactSignature: rs,
                                                             recoveryID: recid)
                    return pub == key.publicKey
                }
            }
            var all = true
            for try await result in group { all = all && result }
            return all
        }
        #expect(ok)
    }
}

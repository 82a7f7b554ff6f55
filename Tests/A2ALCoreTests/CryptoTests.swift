import Testing
@testable import A2ALCore

/// libsodium wrappers against published vectors.
@Suite struct CryptoTests {
    func h(_ s: String) -> [UInt8] { [UInt8](hex: s)! }

    @Test func sha2() {
        #expect(SHA256.hash(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hash(parts: [Array("a".utf8), Array("bc".utf8)]) == SHA256.hash(Array("abc".utf8)))
        #expect(SHA512.hash(Array("abc".utf8)).hex.hasPrefix("ddaf35a193617aba"))
    }

    /// RFC 4231 test case 2 and RFC 5869 test case 1.
    @Test func hmacAndHKDF() throws {
        #expect(HMACSHA256.authenticate(key: Array("Jefe".utf8), message: Array("what do ya want for nothing?".utf8)).hex
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        let okm = try HKDFSHA256.deriveKey(inputKeyMaterial: [UInt8](repeating: 0x0b, count: 22),
                                           salt: h("000102030405060708090a0b0c"), info: h("f0f1f2f3f4f5f6f7f8f9"),
                                           outputCount: 42)
        #expect(okm.hex == "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865")
        #expect(throws: CryptoError.hkdfOutputTooLong) {
            try HKDFSHA256.deriveKey(inputKeyMaterial: [1], salt: [], info: [], outputCount: 255 * 32 + 1)
        }
    }

    /// RFC 8032 §7.1 test 2.
    @Test func ed25519() throws {
        let kp = try Ed25519.KeyPair(seed: h("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"))
        #expect(kp.publicKey.hex == "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")
        let sig = kp.sign([0x72])
        #expect(sig.hex == "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")
        #expect(Ed25519.verify(signature: sig, message: [0x72], publicKey: kp.publicKey))
        for bit in [0, 100, 511] {
            var bad = sig
            bad[bit / 8] ^= UInt8(1 << (bit % 8))
            #expect(!Ed25519.verify(signature: bad, message: [0x72], publicKey: kp.publicKey))
        }
        #expect(!Ed25519.verify(signature: sig, message: [0x73], publicKey: kp.publicKey))
        #expect(!Ed25519.verify(signature: Array(sig.prefix(63)), message: [0x72], publicKey: kp.publicKey))
        #expect(throws: CryptoError.badLength("Ed25519 seed", expected: 32, got: 31)) { try Ed25519.KeyPair(seed: [UInt8](repeating: 0, count: 31)) }
    }

    /// RFC 7748 §6.1 Diffie-Hellman vector; the all-zero point is refused.
    @Test func x25519() throws {
        let alice = h("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
        let bobPub = h("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
        #expect(try X25519.publicKey(fromPrivate: alice).hex == "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
        #expect(try X25519.sharedSecret(privateKey: alice, publicKey: bobPub).hex
                == "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
        #expect(throws: CryptoError.weakSharedSecret) {
            try X25519.sharedSecret(privateKey: alice, publicKey: [UInt8](repeating: 0, count: 32))
        }
        // An Ed25519 key that is not a curve point cannot be converted.
        #expect(throws: CryptoError.invalidPublicKey) {
            try X25519.publicKey(fromEd25519: h("0200000000000000000000000000000000000000000000000000000000000000"))
        }
    }

    /// NIST GCM test case 16-style round trip, and tampering detection.
    @Test func aesGCM() throws {
        try #require(AES256GCM.isAvailable)
        let key = [UInt8](repeating: 0, count: 32), nonce = [UInt8](repeating: 0, count: 12)
        // Gueron/Krasnov AES-256-GCM vector: empty plaintext, zero key and nonce.
        #expect(try AES256GCM.seal(key: key, nonce: nonce, plaintext: []).hex == "530f8afbc74536b9a963b4f1c4cb738b")
        let ct = try AES256GCM.seal(key: key, nonce: nonce, plaintext: Array("secret".utf8), additionalData: [1])
        #expect(try AES256GCM.open(key: key, nonce: nonce, ciphertext: ct, additionalData: [1]) == Array("secret".utf8))
        var bad = ct
        bad[0] ^= 1
        #expect(throws: CryptoError.authenticationFailed) { try AES256GCM.open(key: key, nonce: nonce, ciphertext: bad, additionalData: [1]) }
        #expect(throws: CryptoError.authenticationFailed) { try AES256GCM.open(key: key, nonce: nonce, ciphertext: [1, 2]) }
        #expect(throws: CryptoError.badLength("AES-GCM nonce", expected: 12, got: 8)) {
            try AES256GCM.seal(key: key, nonce: [UInt8](repeating: 0, count: 8), plaintext: [])
        }
    }

    @Test func randomAndIdentity() {
        #expect(SecureRandom.bytes(32) != SecureRandom.bytes(32))
        let a = NodeID(bytes: [UInt8](repeating: 0, count: 32))!
        let b = NodeID(bytes: [0x80] + [UInt8](repeating: 0, count: 31))!
        let c = NodeID(bytes: [0x40] + [UInt8](repeating: 0, count: 31))!
        #expect(a.commonPrefixLength(with: a) == 256 && a.bucketIndex(of: a) == -1)
        #expect(a.commonPrefixLength(with: b) == 0 && a.commonPrefixLength(with: c) == 1)
        #expect(a.distance(to: b) == b.distance(to: a))
        #expect(a.isCloser(c, than: b) && !a.isCloser(b, than: c))
        #expect(Address(bytes: [0xA0]) == nil && NodeID(bytes: [1]) == nil)
    }

    /// `isSet(bit:)` reads the bit the byte form holds, most significant first, for both a
    /// node ID and a distance.
    @Test func bitsMatchTheBytes() {
        for _ in 0..<20 {
            let a = NodeID(bytes: SecureRandom.bytes(32))!, b = NodeID(bytes: SecureRandom.bytes(32))!
            let bytes = a.bytes, distance = a.distance(to: b), distanceBytes = distance.bytes
            for bit in 0..<NodeID.bitCount {
                let mask = UInt8(0x80) >> UInt8(bit % 8)
                #expect(a.isSet(bit: bit) == (bytes[bit / 8] & mask != 0))
                #expect(distance.isSet(bit: bit) == (distanceBytes[bit / 8] & mask != 0))
            }
        }
        let one = NodeID(bytes: [UInt8](repeating: 0, count: 31) + [1])!
        #expect(one.isSet(bit: 255) && !one.isSet(bit: 254) && !one.isSet(bit: 0))
    }

    /// The stack digest is the array digest, across the one-block boundary (55/56 bytes).
    @Test func digestOnTheStackMatches() {
        for count in [0, 1, 21, 32, 55, 56, 64, 65, 1000] {
            let data = (0..<count).map { UInt8($0 % 251) }
            let viaStack = data.withUnsafeBytes { SHA256.withDigest(of: $0) { Array($0) } }
            #expect(viaStack == SHA256.hash(data), "\(count) bytes")
        }
    }

    /// An address and its node ID, derived without arrays, equal the byte-wise derivation.
    @Test func addressAndNodeIDMatchTheirDefinition() {
        for _ in 0..<20 {
            let key = SecureRandom.bytes(32)
            let address = Address.ed25519(publicKey: key)
            #expect(address.bytes == [0xA0] + SHA256.hash(key)[0..<20])
            #expect(address.nodeID.bytes == SHA256.hash(address.bytes))
        }
    }
}

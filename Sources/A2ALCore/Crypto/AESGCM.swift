import CSodium

/// AES-256-GCM with a 12-byte nonce and a 16-byte tag appended to the ciphertext.
public enum AES256GCM {
    public static let keyCount = 32
    public static let nonceCount = 12
    public static let tagCount = 16

    /// libsodium implements AES-GCM only with AES-NI and PCLMUL.
    public static var isAvailable: Bool {
        Sodium.ensure()
        return crypto_aead_aes256gcm_is_available() == 1
    }

    public static func seal(key: [UInt8], nonce: [UInt8], plaintext: [UInt8],
                            additionalData: [UInt8] = []) throws -> [UInt8] {
        try check(key: key, nonce: nonce)
        var out = [UInt8](repeating: 0, count: plaintext.count + tagCount)
        var outLen: UInt64 = 0
        let rc = plaintext.withUnsafeBufferPointer { p in
            additionalData.withUnsafeBufferPointer { ad in
                crypto_aead_aes256gcm_encrypt(&out, &outLen, p.baseAddress, UInt64(p.count),
                                              ad.baseAddress, UInt64(ad.count), nil, nonce, key)
            }
        }
        guard rc == 0 else { throw CryptoError.authenticationFailed }
        return Array(out.prefix(Int(outLen)))
    }

    public static func open(key: [UInt8], nonce: [UInt8], ciphertext: [UInt8],
                            additionalData: [UInt8] = []) throws -> [UInt8] {
        try check(key: key, nonce: nonce)
        guard ciphertext.count >= tagCount else { throw CryptoError.authenticationFailed }
        var out = [UInt8](repeating: 0, count: ciphertext.count - tagCount)
        var outLen: UInt64 = 0
        let rc = ciphertext.withUnsafeBufferPointer { c -> Int32 in
            guard let cbase = c.baseAddress else { return -1 }
            return additionalData.withUnsafeBufferPointer { ad in
                crypto_aead_aes256gcm_decrypt(&out, &outLen, nil, cbase, UInt64(c.count),
                                              ad.baseAddress, UInt64(ad.count), nonce, key)
            }
        }
        guard rc == 0 else { throw CryptoError.authenticationFailed }
        return Array(out.prefix(Int(outLen)))
    }

    private static func check(key: [UInt8], nonce: [UInt8]) throws {
        guard isAvailable else { throw CryptoError.aesGCMUnavailable }
        guard key.count == keyCount else { throw CryptoError.badLength("AES-256 key", expected: 32, got: key.count) }
        guard nonce.count == nonceCount else {
            throw CryptoError.badLength("AES-GCM nonce", expected: 12, got: nonce.count)
        }
    }
}

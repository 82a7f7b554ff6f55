import CSodium

/// SHA-256 (libsodium).
public enum SHA256 {
    public static let digestCount = 32

    public static func hash(_ data: [UInt8]) -> [UInt8] {
        data.withUnsafeBytes { withDigest(of: $0) { Array($0) } }
    }

    /// Calls `body` with the digest of `data` in a buffer on the stack: for hashes computed
    /// once per inbound message (a sender's address and node ID), where an array per digest
    /// would be an allocation each.
    public static func withDigest<T>(of data: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> T) -> T {
        Sodium.ensure()
        var digest = (UInt64(0), UInt64(0), UInt64(0), UInt64(0))
        return withUnsafeMutablePointer(to: &digest) { words in
            words.withMemoryRebound(to: UInt8.self, capacity: digestCount) { out in
                _ = crypto_hash_sha256(out, data.baseAddress?.assumingMemoryBound(to: UInt8.self), UInt64(data.count))
                return body(UnsafeRawBufferPointer(start: out, count: digestCount))
            }
        }
    }

    /// SHA-256 over several parts without concatenating them first.
    public static func hash(parts: [[UInt8]]) -> [UInt8] {
        Sodium.ensure()
        var state = crypto_hash_sha256_state()
        crypto_hash_sha256_init(&state)
        for p in parts {
            p.withUnsafeBufferPointer { _ = crypto_hash_sha256_update(&state, $0.baseAddress, UInt64($0.count)) }
        }
        var out = [UInt8](repeating: 0, count: 32)
        crypto_hash_sha256_final(&state, &out)
        return out
    }
}

/// SHA-512 (libsodium).
public enum SHA512 {
    public static func hash(_ data: [UInt8]) -> [UInt8] {
        Sodium.ensure()
        var out = [UInt8](repeating: 0, count: 64)
        data.withUnsafeBufferPointer { d in
            _ = crypto_hash_sha512(&out, d.baseAddress, UInt64(d.count))
        }
        return out
    }
}

/// HMAC-SHA256 with a key of any length (libsodium's streaming API).
public enum HMACSHA256 {
    public static func authenticate(key: [UInt8], message: [UInt8]) -> [UInt8] {
        Sodium.ensure()
        var state = crypto_auth_hmacsha256_state()
        // A one-byte stand-in gives libsodium a valid pointer for an empty key; length stays 0.
        let keyBuffer = key.isEmpty ? [0] : key
        keyBuffer.withUnsafeBufferPointer { buf in
            if let base = buf.baseAddress { _ = crypto_auth_hmacsha256_init(&state, base, key.count) }
        }
        message.withUnsafeBufferPointer {
            // libsodium wants a non-null pointer even for zero bytes; an empty update is a no-op.
            if let base = $0.baseAddress { _ = crypto_auth_hmacsha256_update(&state, base, UInt64($0.count)) }
        }
        var out = [UInt8](repeating: 0, count: 32)
        crypto_auth_hmacsha256_final(&state, &out)
        return out
    }
}

/// HKDF-SHA256 (RFC 5869). libsodium 1.0.18 (Debian 12) predates its own HKDF, so it is
/// built here on HMAC-SHA256.
public enum HKDFSHA256 {
    public static func deriveKey(inputKeyMaterial ikm: [UInt8], salt: [UInt8], info: [UInt8],
                                 outputCount: Int) throws(CryptoError) -> [UInt8] {
        guard outputCount <= 255 * 32 else { throw CryptoError.hkdfOutputTooLong }
        // RFC 5869 §2.2: an absent salt is a string of HashLen zeros.
        let prk = HMACSHA256.authenticate(key: salt.isEmpty ? [UInt8](repeating: 0, count: 32) : salt,
                                          message: ikm)
        var okm: [UInt8] = []
        okm.reserveCapacity(outputCount)
        var block: [UInt8] = []
        var counter: UInt8 = 1
        while okm.count < outputCount {
            block = HMACSHA256.authenticate(key: prk, message: block + info + [counter])
            okm.append(contentsOf: block)
            counter &+= 1
        }
        return Array(okm.prefix(outputCount))
    }
}

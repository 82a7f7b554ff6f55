/// Legacy Keccak-256 as used by Ethereum (EIP-55 checksums, address derivation).
///
/// This is the pre-standard Keccak submission: domain padding byte 0x01, *not* the 0x06 of
/// NIST SHA3-256, so the two give different digests for every input.
public enum Keccak256 {
    public static let digestCount = 32

    /// Sponge rate: capacity is 2 × 256 = 512 bits, leaving 1600 − 512 bits = 136 bytes.
    private static let rate = 136

    /// ι-step constants, one per round (FIPS 202 §3.2.5, identical in legacy Keccak).
    private static let roundConstants: [UInt64] = [
        0x0000_0000_0000_0001, 0x0000_0000_0000_8082, 0x8000_0000_0000_808A, 0x8000_0000_8000_8000,
        0x0000_0000_0000_808B, 0x0000_0000_8000_0001, 0x8000_0000_8000_8081, 0x8000_0000_0000_8009,
        0x0000_0000_0000_008A, 0x0000_0000_0000_0088, 0x0000_0000_8000_8009, 0x0000_0000_8000_000A,
        0x0000_0000_8000_808B, 0x8000_0000_0000_008B, 0x8000_0000_0000_8089, 0x8000_0000_0000_8003,
        0x8000_0000_0000_8002, 0x8000_0000_0000_0080, 0x0000_0000_0000_800A, 0x8000_0000_8000_000A,
        0x8000_0000_8000_8081, 0x8000_0000_0000_8080, 0x0000_0000_8000_0001, 0x8000_0000_8000_8008,
    ]

    /// ρ-step rotation of lane (x, y), stored at index x + 5y. Derived once from the
    /// specification's walk instead of being typed in, so a typo cannot hide in a table:
    /// starting at (1, 0), step t rotates by (t+1)(t+2)/2 mod 64 and moves to (y, 2x+3y).
    private static let rotations: [Int] = {
        var r = [Int](repeating: 0, count: 25)
        var x = 1, y = 0
        for t in 0..<24 {
            r[x + 5 * y] = ((t + 1) * (t + 2) / 2) % 64
            (x, y) = (y, (2 * x + 3 * y) % 5)
        }
        return r
    }()

    public static func hash(_ data: [UInt8]) -> [UInt8] {
        var state = [UInt64](repeating: 0, count: 25)

        // Pad: append 0x01, zero-fill, set the top bit of the block's last byte
        // (the two may land in the same byte when only one byte of room is left).
        var message = data
        message.append(0x01)
        while message.count % rate != 0 { message.append(0) }
        message[message.count - 1] |= 0x80

        var offset = 0
        while offset < message.count {
            // Absorb one block: lanes are little-endian 64-bit words.
            for lane in 0..<(rate / 8) {
                var word: UInt64 = 0
                for k in 0..<8 {
                    word |= UInt64(message[offset + lane * 8 + k]) << (8 * UInt64(k))
                }
                state[lane] ^= word
            }
            permute(&state)
            offset += rate
        }

        // Squeeze: 32 bytes fit within the first block of output.
        var out = [UInt8]()
        out.reserveCapacity(digestCount)
        for lane in 0..<(digestCount / 8) {
            for k in 0..<8 { out.append(UInt8(truncatingIfNeeded: state[lane] >> (8 * UInt64(k)))) }
        }
        return out
    }

    /// Keccak-f[1600]: 24 rounds of θ, ρ, π, χ, ι over 25 lanes indexed x + 5y.
    private static func permute(_ a: inout [UInt64]) {
        var b = [UInt64](repeating: 0, count: 25)
        var c = [UInt64](repeating: 0, count: 5)
        for round in 0..<24 {
            // θ: xor every lane with the parities of two neighbouring columns.
            for x in 0..<5 { c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] }
            for x in 0..<5 {
                let d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1)
                for y in 0..<5 { a[x + 5 * y] ^= d }
            }
            // ρ and π: rotate each lane and move (x, y) to (y, 2x + 3y).
            for x in 0..<5 {
                for y in 0..<5 {
                    b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(a[x + 5 * y], rotations[x + 5 * y])
                }
            }
            // χ: the only non-linear step, row by row.
            for y in 0..<5 {
                for x in 0..<5 {
                    a[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y])
                }
            }
            // ι: break the symmetry between rounds.
            a[0] ^= roundConstants[round]
        }
    }

    @inline(__always)
    private static func rotl(_ v: UInt64, _ n: Int) -> UInt64 {
        n == 0 ? v : (v << UInt64(n)) | (v >> UInt64(64 - n))
    }
}

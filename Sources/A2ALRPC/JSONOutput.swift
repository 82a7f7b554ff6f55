/// A growable byte buffer for building one JSON line. Every reply goes through it, so its
/// appends are plain pointer writes after one capacity check; appending to an `[UInt8]`
/// pays a uniqueness check and a generic call per append, which made serialising a
/// `node.info` reply cost more than everything else on the call path together.
/// Non-copyable so the storage has exactly one owner and is freed exactly once.
struct JSONOutput: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    private(set) var count = 0

    /// 1 KiB holds most replies (`node.info` is about 530 bytes) without growing.
    init(capacity: Int = 1024) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The bytes written, as an array (the buffer is freed).
    consuming func finish() -> [UInt8] {
        Array(UnsafeBufferPointer(start: base, count: count))
    }

    @inline(__always)
    mutating func reserve(_ extra: Int) {
        if capacity - count < extra { grow(extra) }
    }

    private mutating func grow(_ extra: Int) {
        let newCapacity = max(capacity * 2, count + extra)
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { append($0) }
    }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append($0) }
    }

    /// Decimal digits of `value`, written right to left into reserved space.
    mutating func appendDecimal(_ value: Int64) {
        reserve(20)
        if value < 0 {
            base[count] = Byte.minus
            count += 1
        }
        var m = value.magnitude  // UInt64, so Int64.min has one
        var digits = 1
        var rest = m / 10
        while rest > 0 {
            rest /= 10
            digits += 1
        }
        var k = count + digits - 1
        repeat {
            base[k] = Byte.zero &+ UInt8(truncatingIfNeeded: m % 10)
            m /= 10
            k -= 1
        } while m > 0
        count += digits
    }

    /// Appends `count` spaces (indentation of the pretty form).
    mutating func appendSpaces(_ n: Int) {
        guard n > 0 else { return }
        reserve(n)
        (base + count).initialize(repeating: Byte.space, count: n)
        count += n
    }
}

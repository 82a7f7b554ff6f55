import CSodium

/// One-time libsodium initialisation. Every wrapper touches `Sodium.ready` first; `sodium_init`
/// is idempotent and thread-safe, and a Swift global is initialised exactly once.
enum Sodium {
    static let ready: Bool = {
        sodium_init() >= 0
    }()

    @inline(__always)
    static func ensure() {
        precondition(ready, "libsodium failed to initialise")
    }
}

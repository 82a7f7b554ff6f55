/// The daemon's version, reported by `node.info` and `--version`.
package enum DaemonVersion {
    package static let string = "0.1.0"
    /// The reference protocol version this node speaks on the wire.
    package static let protocolReference = "a2al v0.1.7"
}

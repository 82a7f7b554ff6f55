import A2ALCore
import A2ALProtocol

/// What a node tells its host about, synchronously on the task where it happens. Handlers must
/// be quick and must not call back into the node while holding their own locks.
public struct NodeEvents: Sendable {
    /// A response carried our address as the responder saw it (PONG, FIND_NODE_RESP,
    /// FIND_VALUE_RESP): reporter and the raw 6- or 18-byte observed_addr.
    public var observedAddress: (@Sendable (_ reporter: NodeID, _ wire: [UInt8]) -> Void)?
    /// A peer's health class changed.
    public var peerHealthChanged: (@Sendable (_ transition: HealthTransition) -> Void)?
    /// A record was stored locally (from a peer's STORE or our own put) at `record.key`.
    public var recordStored: (@Sendable (_ record: VerifiedRecord) -> Void)?
    /// A subscribed peer pushed a record (verified at `record.key`) that was newly stored there.
    public var recordPushed: (@Sendable (_ record: VerifiedRecord, _ from: NodeID) -> Void)?

    public init(observedAddress: (@Sendable (NodeID, [UInt8]) -> Void)? = nil,
                peerHealthChanged: (@Sendable (HealthTransition) -> Void)? = nil,
                recordStored: (@Sendable (VerifiedRecord) -> Void)? = nil,
                recordPushed: (@Sendable (VerifiedRecord, NodeID) -> Void)? = nil) {
        self.observedAddress = observedAddress
        self.peerHealthChanged = peerHealthChanged
        self.recordStored = recordStored
        self.recordPushed = recordPushed
    }
}

import A2ALCore
import A2ALProtocol

/// The outcome of publishing: the publication as saved, the record signed for it and its key.
package struct PublishedRecord: Sendable {
    package let publication: Publication
    package let record: SignedRecord
    package let key: NodeID
}

/// A publication as `publish.list` shows it.
package struct PublicationStatus: Sendable {
    package let publication: Publication
    /// The record out now; nil when the publication could not be republished (its agent is
    /// gone, or the node refused it) — the reason is in the log.
    package let record: SignedRecord?
    /// Confirmed replica holders of that record.
    package let replicas: Int

    /// When the node re-signs and republishes it: at half its lifetime (the node's maintenance
    /// pass runs every 15 s, so it happens up to that much later).
    package var nextRenewalAt: UInt64? {
        record.map { $0.timestamp + UInt64($0.ttl) / 2 }
    }
}

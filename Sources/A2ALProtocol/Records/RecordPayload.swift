/// A record's payload as verification decoded it, kept so that nothing downstream decodes it
/// again.
public enum RecordPayload: Hashable, Sendable {
    case endpoint(EndpointPayload)
    case topic(TopicPayload)
    /// Mailbox and other types: verification checks only their size; the bytes stay in the record.
    case opaque
}

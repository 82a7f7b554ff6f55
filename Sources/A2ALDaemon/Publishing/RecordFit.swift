import A2ALCore
import A2ALProtocol

/// Whether a record we sign can travel. A record that does not fit a datagram would be stored
/// locally and reported as published, yet no STORE could carry it and no FIND_VALUE answer
/// could return it — so we refuse it up front with a clear error instead.
enum RecordFit {
    /// Body bytes one datagram carries after the signed envelope.
    static let maxBodyBytes = ProtocolConstants.maxDatagramSize - ProtocolConstants.envelopeOverhead

    /// The first message that would be too large to carry `record` stored at `key`, or nil.
    ///
    /// The FIND_VALUE answer is sized as a responder builds it at its smallest (trimmed down to
    /// one neighbour, IPv6 addresses); endpoint records also travel there a second time, in the
    /// legacy single-record field.
    static func problem(_ record: SignedRecord, key: NodeID) -> PublisherError? {
        let store = MessageBody.store(Store(record: record, key: key)).encoded.count
        if store > maxBodyBytes {
            return .recordTooLarge(what: "a STORE body", bytes: store, limit: maxBodyBytes)
        }
        let v6 = WireEndpoint(ip: IPAddress(bytes: [UInt8](repeating: 0xFF, count: 16)) ?? IPAddress(ipv4: 0), port: 65535)
        let neighbour = NodeInfo(address: record.address, endpoint: v6)
        let answer = FindValueResp(nodes: [neighbour], record: record.recType == RecordType.endpoint ? record : nil,
                                   observed: v6, records: [record])
        let size = MessageBody.findValueResp(answer).encoded.count
        if size > maxBodyBytes {
            return .recordTooLarge(what: "a FIND_VALUE answer body", bytes: size, limit: maxBodyBytes)
        }
        return nil
    }
}

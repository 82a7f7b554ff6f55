import A2ALProtocol

/// What `"endpoints": "auto"` and `"nat_type": "auto"` stand for at the moment
/// (docs/jsonrpc.md, publish.endpoint): our public address as a `udp://` URL — the socket's own
/// address when there is no NAT — and the NAT classification's code. Nothing while the address
/// is unknown or the NAT symmetric (no port of ours is dialable then).
package struct AutoEndpointValues: Sendable, Equatable {
    package var endpoints: [String]
    package var natType: UInt8

    package static let none = AutoEndpointValues(endpoints: [], natType: 0)

    package init(endpoints: [String], natType: UInt8) {
        self.endpoints = endpoints
        self.natType = natType
    }

    package init(_ verdict: NATClassifier.Verdict) {
        let address = verdict.natClass == .symmetric ? nil : verdict.publicAddress
        self.init(endpoints: address.map { ["udp://\($0)"] } ?? [], natType: verdict.natClass.code)
    }
}

extension PublicationFields {
    /// The fields with their auto parts filled in from `auto`.
    func resolved(_ auto: AutoEndpointValues) -> PublicationFields {
        guard case .endpoint(var f) = self, f.followsNAT else { return self }
        if f.endpointsAuto == true { f.endpoints = auto.endpoints }
        if f.natTypeAuto == true { f.natType = auto.natType }
        return .endpoint(f)
    }
}

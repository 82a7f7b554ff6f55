import A2ALDHT

extension Publisher {
    /// New values for the auto parts of endpoint publications (docs/jsonrpc.md,
    /// publish.endpoint): each publication whose signed content they change is republished
    /// once, with a new seq. Returns how many were.
    @discardableResult
    package func followNAT(_ values: AutoEndpointValues) -> Int {
        state.withLock { s in
            guard s.auto != values else { return 0 }
            s.auto = values
            var republished = 0
            for p in store.list() where p.endpoint?.followsNAT == true {
                if let live = s.live[p.id], let (content, _) = try? material(of: p, auto: values),
                   live.record.payload == content.payload {
                    continue
                }
                do throws(PublisherError) {
                    try republish(p, &s)
                    republished += 1
                } catch {
                    logger.warning("cannot republish publication \(p.id) with the new public address: \(error)")
                }
            }
            if republished > 0 {
                logger.info("republished endpoint records that follow the NAT", metadata: [
                    "count": "\(republished)", "endpoints": "\(values.endpoints)", "nat_type": "\(values.natType)",
                ])
            }
            return republished
        }
    }

    /// The values auto publications carry now.
    package var autoValues: AutoEndpointValues { state.withLock { $0.auto } }
}

import A2ALDHT

extension VersionResult {
    /// The report's `versions` object.
    var json: JSON {
        func counts(_ c: [WireProfile: Int]) -> JSON {
            .object(WireProfile.allCases.map { ($0.rawValue, JSON.int(c[$0] ?? 0)) })
        }
        return .object([
            ("profiles", counts(profileCounts)),
            ("live_profiles", counts(liveCounts)),
            ("trials_per_pair", .int(trials)),
            ("resolve", resolve.json),
            ("topic_search", topicSearch.json),
            ("resolve_by_holder", resolveByHolder.json),
            ("topic_search_by_holder", topicSearchByHolder.json),
            ("setup", .object([
                ("topics_published", .int(topicsPublished)), ("topic_publish_failed", .int(topicPublishFailed)),
                ("max_holders_per_record", .int(VersionResult.maxHolders)),
                ("holder_placements_skipped", .int(holderPlacementsSkipped)),
            ])),
            ("drops", drops.json),
            ("drops_by_step", .object(dropsByStep.map { ($0.0, $0.1.json) })),
            ("note", .string("pairs are querier->publisher (resolve, topic_search: records replicated by DHTNode.publish) "
                             + "or querier->holder (*_by_holder: the record is stored only at up to 3 nodes of that profile "
                             + "among the K live nodes closest to its key); a querier never holds the record itself; topic "
                             + "searches watch the key during aggregateRecords; drops are every node's counters summed per "
                             + "profile, drops_by_step their growth in each step (before_version_phase: totals until then)")),
        ])
    }
}

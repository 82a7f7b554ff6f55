import A2ALDHT
import A2ALRPC

extension RPCParams {
    /// `disjoint_paths` of a lookup method: 1 ... `LookupConstants.maxDisjointPaths`, nil when
    /// absent (the node's default; docs/routing.md §3.13). Out of range is invalid params.
    func disjointPaths() throws(RPCError) -> Int? {
        try optionalInt("disjoint_paths", in: 1...Int64(LookupConstants.maxDisjointPaths)).map { Int($0) }
    }
}

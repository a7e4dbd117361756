// What a session needs for one statement before the topology is consulted, and how the session changes after.

/// The session's half of a routing decision.
struct RoutePlan: Sendable {
    /// The kind of node the statement needs.
    enum Need: Sendable {
        /// Hold the statement (a `BEGIN`) until the next one decides.
        case deferred
        /// The node the open transaction runs on.
        case pinned(NodeID)
        case primary
        /// A replica or, failing that, the primary; read-your-writes applies.
        case read
        /// A replica and nothing else (`bulkhead.route = replica`).
        case replicaOnly
    }

    /// How the session's transaction changes once the statement has a node.
    enum Effect: Sendable {
        case unchanged
        case pending(readOnly: Bool?, serializable: Bool)
        case open(readOnly: Bool, wrote: Bool)
        case wrote
        case ended
    }

    var need: Need
    var effect: Effect
    /// The statement commits writes on the primary that later reads must see.
    var learnsWriteLSN = false
    /// A new default for `BEGIN`s without READ ONLY / READ WRITE.
    var readOnlyByDefault: Bool?
}

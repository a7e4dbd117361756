// Whether a node can take traffic, as far as the health checks and the pool know.

/// The health of one node.
public enum NodeStatus: String, Sendable, Hashable {
    /// Not checked yet: gets no traffic until a first check succeeds.
    case unknown
    /// Answered its last check and, if a replica, is within `max_replica_lag`.
    case up
    /// A replica that answers but is further behind than `max_replica_lag`: out of rotation until it catches up.
    case lagging
    /// A check or a connection failed: no traffic until a check succeeds again.
    case down
}

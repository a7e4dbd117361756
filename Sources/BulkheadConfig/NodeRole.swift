// What a PostgreSQL server is expected to be in the cluster.

/// The role a node plays for routing.
public enum NodeRole: String, Sendable, Hashable, CaseIterable {
    /// Takes writes and, when the database allows, reads.
    case primary
    /// Takes reads only.
    case replica
    /// Discovered by health checks (`pg_is_in_recovery()`), so failovers need no config change.
    case auto
}

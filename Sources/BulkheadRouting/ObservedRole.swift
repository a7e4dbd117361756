// The role a node reports about itself.

/// What a node's last successful health check said it is.
public enum ObservedRole: String, Sendable, Hashable {
    /// `pg_is_in_recovery()` is false: the node accepts writes.
    case primary
    /// `pg_is_in_recovery()` is true: a standby replaying WAL.
    case replica
}

// The role the configuration expects a node to play.

/// What the configuration says a node is (`role` of a `[[nodes]]` entry).
///
/// Fixed roles are checked against what the node reports, never silently overridden: a mismatch takes the node
/// out of traffic and is reported. Only `auto` nodes follow failovers, as the configuration documents.
public enum ConfiguredRole: String, Sendable, Hashable, CaseIterable {
    /// Takes writes, and reads when the database allows; must report being out of recovery.
    case primary
    /// Takes reads only; must report being in recovery.
    case replica
    /// Whatever `pg_is_in_recovery()` says, so a promotion needs no configuration change.
    case auto
}

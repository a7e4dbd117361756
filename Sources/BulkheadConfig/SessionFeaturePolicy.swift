// What happens when a pooled client uses session state.

/// How the proxy treats session-level features (`SET`, `LISTEN`, advisory locks, temporary tables)
/// in transaction or statement pooling, where they would leak to other clients.
public enum SessionFeaturePolicy: String, Sendable, Hashable, CaseIterable {
    /// Keep the client on its server connection for the rest of its session.
    case pin
    /// Refuse the statement with an error.
    case reject
}

// When a server connection is handed back to the pool.

/// How long a client keeps the server connection it was given.
public enum PoolMode: String, Sendable, Hashable, CaseIterable {
    /// Until the client disconnects.
    case session
    /// Until the current transaction ends.
    case transaction
    /// Until the current statement ends; multi-statement transactions are refused.
    case statement
}

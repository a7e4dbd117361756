// Whose writes a read must see: one client session, or every session of a tenant.

/// The scope read-your-writes is tracked in.
public enum ConsistencyKey: Sendable, Hashable {
    /// One client connection (`consistency_scope = "session"`, the default).
    case session(Int)
    /// All connections of one tenant (`consistency_scope = "tenant"`), so they see each other's writes.
    case tenant(String)
}

// Whose writes a read must be able to see.

/// The set of clients whose writes count for read-your-writes.
public enum ConsistencyScope: String, Sendable, Hashable, CaseIterable {
    /// Only the client's own writes.
    case session
    /// Writes by any client of the same tenant.
    case tenant
}

// How tenants of one database are kept apart.

/// The tenant isolation strategy of a database.
public enum IsolationMode: String, Sendable, Hashable, CaseIterable {
    /// No tenants: clients see the database as it is.
    case none
    /// One schema per tenant, selected through `search_path`.
    case schema
    /// Shared tables filtered by a tenant column.
    case shared
}

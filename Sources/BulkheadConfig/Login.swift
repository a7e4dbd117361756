// The result of looking up who is connecting to which database.

/// A permitted login: the user, the database and, for tenant users, their tenant.
public struct Login: Sendable, Hashable {
    /// The user logging in.
    public var user: UserEntry
    /// The database they asked for.
    public var database: DatabaseConfig
    /// Their tenant, which confines what they see; nil for `[[users]]` entries.
    public var tenant: TenantConfig?
}

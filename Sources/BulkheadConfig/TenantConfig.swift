// One `[[tenants]]` entry: a customer confined to its own slice of a database.

/// A tenant, the database slice it may see and the users who log in as it.
public struct TenantConfig: Sendable, Hashable {
    /// `name`: unique, `[A-Za-z0-9_.-]+`. Required.
    public var name: String
    /// `database`: a `[[databases]]` name whose isolation is schema or shared. Required.
    public var database: String
    /// `tenant_id`: the tenant column's value. Required with shared isolation, rejected with schema; unique per database.
    public var tenantID: Int64?
    /// `schema`: the tenant's schema, with schema isolation only, stored verbatim (the proxy quotes it);
    /// unique per database. Default "tenant_" + the lower-cased name. Nil with shared isolation.
    public var schema: String?
    /// `server_role`: a role to `SET ROLE` to on the tenant's server sessions, so grants can confine it too. Optional.
    public var serverRole: String?
    /// `users = [{ name, password, auth_method?, pool_mode? }]`: the logins of this tenant, at least one.
    public var users: [UserEntry]
}

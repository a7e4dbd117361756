// A login the proxy accepts, from `[[users]]` or from a tenant's `users` list.

/// Someone who may log in, with inherited settings already resolved where they do not depend on the database.
public struct UserEntry: Sendable, Hashable {
    /// `name`: unique across `[[users]]` and every tenant's users, at most 63 bytes. Required.
    public var name: String
    /// `password`: plaintext, "md5" + 32 hex digits, or a SCRAM-SHA-256 verifier. Required unless the
    /// effective auth method is trust.
    public var password: String?
    /// `password`, classified and, for SCRAM verifiers, decoded.
    public var secret: PasswordSecret?
    /// `auth_method`: the user's own, else the `[proxy]` default.
    public var authMethod: AuthMethod
    /// `pool_mode`: the user's own override, if any; see `effectivePoolMode(for:)`.
    public var poolMode: PoolMode?
    /// `databases`: the databases this user may use; nil means all. A tenant user gets exactly its tenant's database.
    public var databases: [String]?
    /// The tenant this user belongs to, or nil for a `[[users]]` entry.
    public var tenantName: String?

    /// The pool mode for a session of this user on `database`: the user's, else the database's, else the proxy's
    /// (the last two are already merged into `database.poolMode`).
    public func effectivePoolMode(for database: DatabaseConfig) -> PoolMode {
        poolMode ?? database.poolMode
    }

    /// Whether this user may connect to the database named `database`.
    public func mayUse(database: String) -> Bool {
        databases?.contains(database) ?? true
    }
}

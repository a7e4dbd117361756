// Whether a user entry is being read from `[[users]]` or from a tenant's `users` list.

/// Where a user entry comes from, which decides its keys and its databases.
enum UserScope {
    /// A `[[users]]` entry; its `databases` must name entries among `knownDatabases`.
    case plain(knownDatabases: [String])
    /// A tenant's user, confined to the tenant's database.
    case tenant(name: String, database: String)
}

// What later sections may refer to: the databases that were read, and every database name declared.

/// The referable databases, for tenants and users.
struct DeclaredNames {
    /// Databases that were read successfully.
    let databases: [DatabaseConfig]
    /// Every `[[databases]]` name written, including entries that failed to read.
    let databaseNames: [String]
}

// The configuration-independent description of what one tenant may touch.

/// How one tenant is confined. Built by the proxy from its configuration; this module never reads config.
public struct TenantPolicy: Sendable, Hashable {
    /// The two isolation layouts of issue 4.
    public enum Isolation: Sendable, Hashable {
        /// Schema per tenant: the proxy sets `search_path` to `schema, pg_temp`, so unqualified names resolve
        /// there (after `pg_catalog`, which PostgreSQL always searches first). Statements are checked, never
        /// rewritten.
        case schema(schema: String, globalTables: Set<QualifiedName>)
        /// Shared schema: every tenant table is confined to rows whose tenant column equals `tenantID`, by
        /// rewriting the statement. `tenantTables` maps each table to its tenant column.
        case shared(tenantID: Int64, tenantTables: [QualifiedName: String], globalTables: Set<QualifiedName>)
    }

    /// The tenant's name, used in refusal messages ("... is outside tenant acme").
    public let tenant: String
    public let isolation: Isolation
    /// User functions the tenant may call besides the built-in pure ones (`allowed_functions`).
    public let allowedFunctions: Set<QualifiedName>
    /// Shared mode: the schemas in which unqualified table names are looked up, in order. The rewrite
    /// qualifies every tenant and global table it confirms, so the server's own search_path never decides.
    public let searchPath: [String]
    /// A canonical spelling of the whole policy: two policies share cache entries only if these are equal.
    public let cacheKey: String
    /// `cacheKey`'s hash, computed once so that a cache lookup does not rehash the whole policy.
    let cacheKeyHash: Int

    /// - Parameters:
    ///   - tenant: the tenant's name for messages.
    ///   - isolation: the layout; table names without a schema are taken as `public`.
    ///   - allowedFunctions: user functions the tenant may call.
    ///   - searchPath: shared mode only; defaults to `["public"]`, PostgreSQL's default without `$user`.
    public init(tenant: String, isolation: Isolation, allowedFunctions: Set<QualifiedName> = [],
                searchPath: [String] = ["public"]) {
        func qualified(_ name: QualifiedName) -> QualifiedName {
            QualifiedName(schema: name.schema ?? "public", name: name.name)
        }
        let normalized: Isolation
        switch isolation {
        case .schema(let schema, let globals):
            normalized = .schema(schema: schema, globalTables: Set(globals.map(qualified)))
        case .shared(let id, let tables, let globals):
            var confined: [QualifiedName: String] = [:]
            for (table, column) in tables { confined[qualified(table)] = column }
            normalized = .shared(tenantID: id, tenantTables: confined, globalTables: Set(globals.map(qualified)))
        }
        self.tenant = tenant
        self.isolation = normalized
        self.allowedFunctions = allowedFunctions
        self.searchPath = searchPath
        self.cacheKey = Self.canonical(tenant: tenant, isolation: normalized, functions: allowedFunctions,
                                       searchPath: searchPath)
        self.cacheKeyHash = cacheKey.hashValue
    }

    private static func canonical(tenant: String, isolation: Isolation, functions: Set<QualifiedName>,
                                  searchPath: [String]) -> String {
        // Each part is quoted, so no two different policies can spell the same key.
        var parts = ["tenant=" + QualifiedName.quote(tenant)]
        switch isolation {
        case .schema(let schema, let globals):
            parts.append("schema=" + QualifiedName.quote(schema))
            parts.append("global=" + globals.map(\.quotedSQL).sorted().joined(separator: ","))
        case .shared(let id, let tables, let globals):
            parts.append("shared=\(id)")
            parts.append("tables=" + tables.map { "\($0.key.quotedSQL)(\(QualifiedName.quote($0.value)))" }
                .sorted().joined(separator: ","))
            parts.append("global=" + globals.map(\.quotedSQL).sorted().joined(separator: ","))
        }
        parts.append("functions=" + functions.map(\.quotedSQL).sorted().joined(separator: ","))
        parts.append("path=" + searchPath.map(QualifiedName.quote).joined(separator: ","))
        return parts.joined(separator: ";")
    }
}

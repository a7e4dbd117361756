// One `[[databases]]` entry: a database name clients ask for and how it maps to the servers.

/// A database clients can connect to, its pool and its tenant isolation.
///
/// Optional overrides (`pool_mode`, `max_prepared_statements`, `query_wait_timeout`) are resolved at load:
/// the fields hold the database's value when set, else the `[proxy]` one.
public struct DatabaseConfig: Sendable, Hashable {
    /// `name`: what clients put in their connection string. Required, unique, at most 63 bytes.
    public var name: String
    /// `server_database`: the database on the PostgreSQL servers. Default: `name`.
    public var serverDatabase: String
    /// `server_user`: the role the proxy logs into the servers as. Required.
    public var serverUser: String
    /// `server_password`: that role's password in plaintext, since the proxy must answer the server's challenge.
    /// Default "" (for trust authentication on the server).
    public var serverPassword: String
    /// `pool_size`: server connections per node, 1...10000. Default 20.
    public var poolSize: Int
    /// `min_pool_size`: connections kept open even when idle, at most `pool_size`. Default 0.
    public var minPoolSize: Int
    /// `reserve_pool_size`: extra connections allowed when clients have waited too long, 0...10000. Default 0.
    public var reservePoolSize: Int
    /// `pool_mode`: the database's override, else the proxy default.
    public var poolMode: PoolMode
    /// `max_prepared_statements`: the database's override (0...100000), else the proxy default.
    public var maxPreparedStatements: Int
    /// `query_wait_timeout`: the database's override (seconds, zero waits forever), else the proxy default.
    public var queryWaitTimeout: Duration
    /// `isolation`: none, schema (one schema per tenant) or shared (tables filtered by tenant column). Default none.
    public var isolation: IsolationMode
    /// `tenant_column`: the tenant column of `tenant_tables` entries that name none. Default "organization_id".
    public var tenantColumn: String
    /// `tenant_tables`: tables whose rows belong to tenants, as "schema.table" or "schema.table(column)".
    /// Only with isolation = "shared", where at least one is required.
    public var tenantTables: [TenantTable]
    /// `global_tables`: tables every tenant shares unfiltered (reference data), as "schema.table". Default none.
    public var globalTables: [TableName]
    /// `allowed_functions`: functions tenant sessions may call besides PostgreSQL's built-ins, as "name" or
    /// "schema.name"; a function body could read past the tenant filter, so others are refused. Default none.
    public var allowedFunctions: [FunctionName]
    /// `read_write_split`: send read-only statements to replicas. Default true.
    public var readWriteSplit: Bool
    /// `primary_reads`: count the primary among the read targets too. Default false.
    public var primaryReads: Bool
    /// `consistency`: read-your-writes or eventual, for reads sent to replicas. Default read-your-writes.
    public var consistency: ReadConsistency
    /// `consistency_scope`: whose writes read-your-writes waits for: the session's or the whole tenant's. Default session.
    public var consistencyScope: ConsistencyScope
    /// `read_only_functions`: functions known not to write, so statements calling them may still go to replicas.
    /// Default none.
    public var readOnlyFunctions: [FunctionName]
    /// `set_rls_setting`: also run `SET LOCAL bulkhead.tenant_id` in each transaction so row-level security
    /// policies can enforce the tenant as a second line of defence. Default false.
    public var setRLSSetting: Bool
}

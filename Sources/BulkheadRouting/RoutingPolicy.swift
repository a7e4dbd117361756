// A database's routing switches, resolved from its configuration.

/// How statements of one database are routed.
public struct RoutingPolicy: Sendable, Hashable {
    /// `read_write_split`: reads may go to replicas. When false everything goes to the primary.
    public var readWriteSplit: Bool
    /// `primary_reads`: the primary counts among the read targets too.
    public var primaryReads: Bool
    /// `consistency = "read-your-writes"`; false for `"eventual"`, which lets reads go to any healthy replica.
    public var readYourWrites: Bool
    /// `consistency_scope = "tenant"`: connections of one tenant see each other's writes.
    public var tenantScope: Bool
    /// Hold a plain `BEGIN` until the next statement decides where the transaction runs. An owner that routes
    /// only when a transaction starts turns this off: a `BEGIN` then starts on the primary unless it says
    /// READ ONLY (or a read-only session default applies).
    public var defersBegin: Bool

    public init(readWriteSplit: Bool = true, primaryReads: Bool = false, readYourWrites: Bool = true, tenantScope: Bool = false,
                defersBegin: Bool = true) {
        self.readWriteSplit = readWriteSplit
        self.primaryReads = primaryReads
        self.readYourWrites = readYourWrites
        self.tenantScope = tenantScope
        self.defersBegin = defersBegin
    }

    /// True when routed writes must report their commit position, because later reads may go to replicas.
    public var tracksWrites: Bool { readWriteSplit && readYourWrites }

    /// The scope a session's writes and reads are tracked under; sessions without a tenant keep their own.
    public func consistencyKey(session: Int, tenant: String?) -> ConsistencyKey {
        if tenantScope, let tenant { return .tenant(tenant) }
        return .session(session)
    }
}

// pg_class is read through a projection that hides its row and page estimates, which count other tenants' rows.

extension TenantAnalyzer {
    /// pg_class's columns in PostgreSQL 15's order, with the estimates replaced by "never analysed" values.
    ///
    /// Why: `reltuples`, `relpages` and `relallvisible` tell roughly how many rows any table holds, another
    /// tenant's schema included (and in shared mode, all tenants' rows of a shared table together). The rest of
    /// pg_class is metadata that drivers, ORMs' reflection and psql's `\d` read, so pg_class stays readable and
    /// only these three columns are replaced. The order matters: `SELECT *` and column-alias lists are positional.
    static let pgClassColumns: [(name: String, hiddenAs: String?)] = [
        ("oid", nil), ("relname", nil), ("relnamespace", nil), ("reltype", nil), ("reloftype", nil),
        ("relowner", nil), ("relam", nil), ("relfilenode", nil), ("reltablespace", nil),
        ("relpages", "0::int4"), ("reltuples", "(-1)::float4"), ("relallvisible", "0::int4"),
        ("reltoastrelid", nil), ("relhasindex", nil), ("relisshared", nil), ("relpersistence", nil),
        ("relkind", nil), ("relnatts", nil), ("relchecks", nil), ("relhasrules", nil), ("relhastriggers", nil),
        ("relhassubclass", nil), ("relrowsecurity", nil), ("relforcerowsecurity", nil), ("relispopulated", nil),
        ("relreplident", nil), ("relispartition", nil), ("relrewrite", nil), ("relfrozenxid", nil),
        ("relminmxid", nil), ("relacl", nil), ("reloptions", nil), ("relpartbound", nil),
    ]

    private static let pgClass = QualifiedName(schema: "pg_catalog", name: "pg_class")

    private static let pgClassProjection = pgClassColumns
        .map { column in column.hiddenAs.map { "\($0) AS \(column.name)" } ?? column.name }
        .joined(separator: ", ")

    /// True for a catalog reference the estimate projection must replace.
    static func isPgClass(_ relation: SQLNode) -> Bool {
        relation.string("relname") == "pg_class" && ["", "pg_catalog"].contains(relation.string("schemaname"))
    }

    /// Replaces a FROM reference to pg_class by `(SELECT <columns, estimates hidden> FROM pg_catalog.pg_class)`.
    func hideEstimates(_ relation: SQLNode) throws(GateRefusal) {
        try replaceReference(relation, named: Self.pgClass, because: "pg_class read with its row estimates") { only in
            "SELECT \(Self.pgClassProjection) FROM \(only ? "ONLY " : "")pg_catalog.pg_class"
        }
    }

    /// The projection `hideEstimates` writes, exactly: every pg_class column in order, plain, except the
    /// estimates, which must be constants cast to some type. Its pg_class is the hidden one, so the walk does not
    /// wrap it again; the target list is still walked as usual (the casts' types are checked there).
    func isEstimateFreeClassSubquery(_ node: SQLNode) -> Bool {
        guard let query = node.node("subquery"), Self.isPlainSelect(query, allowingWhere: false) else { return false }
        let from = query.listValues("fromClause")
        guard from.count == 1, case .node(let relation) = from[0], relation.kind == "RangeVar",
              relation["alias"] == nil, relation.string("schemaname") == "pg_catalog",
              relation.string("relname") == "pg_class", relation.string("catalogname").isEmpty else { return false }
        let targets = query.nodes("targetList")
        guard targets.count == Self.pgClassColumns.count else { return false }
        for (target, column) in zip(targets, Self.pgClassColumns) {
            guard target.kind == "ResTarget", let value = target.node("val"),
                  target.fieldList.allSatisfy({ ["val", "name", "location"].contains($0.name) }) else { return false }
            if column.hiddenAs == nil {
                guard target.string("name").isEmpty, value.kind == "ColumnRef",
                      value.names("fields") == [column.name] else { return false }
            } else {
                guard target.string("name") == column.name, value.kind == "TypeCast",
                      value.node("arg")?.kind == "A_Const" else { return false }
            }
        }
        return true
    }
}

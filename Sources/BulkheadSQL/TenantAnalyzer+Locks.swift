// Refuses row locks (FOR UPDATE/SHARE) that would reach rows every tenant shares.

extension TenantAnalyzer {
    /// A SELECT's locking clause locks rows of the tables in its FROM (all of them, or those named after
    /// OF), including tables inside FROM subqueries. A lock on a global table's or a catalog's rows would
    /// reach past the tenant: `SELECT * FROM plans FOR UPDATE` left open holds off every other tenant's
    /// foreign-key check against `plans`. So only rows of the tenant's own tables may be locked.
    func checkLocks(_ select: SQLNode) throws(GateRefusal) {
        let clauses = select.listValues("lockingClause")
        guard !clauses.isEmpty else { return }
        var named: Set<String> = []
        var all = false
        for clause in clauses {
            // FOR UPDATE OF names FROM items of this query (PostgreSQL refuses qualified names there), so
            // lockedRels are names to match, not table references.
            guard case .node(let locking) = clause, locking.kind == "LockingClause" else {
                throw unsupported("unrecognised locking clause", at: nil)
            }
            let relations = locking.nodes("lockedRels")
            if relations.isEmpty { all = true }
            for relation in relations { named.insert(relation.string("relname")) }
        }
        for item in Self.rangeItems(select.nodes("fromClause")) where all || named.contains(Self.refname(of: item)) {
            try refuseSharedRows(under: item)
        }
    }

    /// FROM items as PostgreSQL's range table holds them: the two sides of a join rather than the join.
    private static func rangeItems(_ items: [SQLNode]) -> [SQLNode] {
        items.flatMap { item -> [SQLNode] in
            guard item.kind == "JoinExpr" else { return [item] }
            return rangeItems([item.node("larg"), item.node("rarg")].compactMap { $0 })
        }
    }

    /// The name FOR UPDATE OF uses for a FROM item: its alias, else a table's own name.
    private static func refname(of item: SQLNode) -> String {
        if item.kind == "RangeTableSample", let relation = item.node("relation") { return refname(of: relation) }
        let alias = item.node("alias")?.string("aliasname") ?? ""
        if !alias.isEmpty { return alias }
        return item.kind == "RangeVar" ? item.string("relname") : ""
    }

    /// Every table under a locked FROM item: more than PostgreSQL locks when the item is a subquery (its
    /// WHERE subqueries count too), which only refuses more.
    private func refuseSharedRows(under item: SQLNode) throws(GateRefusal) {
        var relations: [SQLNode] = []
        item.walk { node in
            if node.kind == "RangeVar" { relations.append(node) }
            return true
        }
        for relation in relations {
            // A name that does not resolve is refused by the walk of the FROM clause itself, or is a CTE
            // of the subquery, which no lock reaches.
            switch try? resolve(relation, allowCTE: true) {
            case .global(let name)?:
                throw refusal("FOR UPDATE/SHARE of global table \(name) is not available to tenants: its rows are shared by every tenant",
                              at: relation.location)
            case .catalog?:
                throw refusal("FOR UPDATE/SHARE of catalog relation \(relation.string("relname")) is not available to tenants",
                              at: relation.location)
            case .cte?, .own?, .tenantTable?, nil:
                continue
            }
        }
    }
}

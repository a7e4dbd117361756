// The query walk: every clause of SELECT/INSERT/UPDATE/DELETE, every expression, every table reference.

extension TenantAnalyzer {
    /// Expression node kinds that cannot reference a table or call a function by themselves; their children
    /// are still walked. Any kind not here and not handled explicitly is refused (fail closed).
    static let plainExpressionKinds: Set<String> = [
        "ResTarget", "ParamRef", "A_Const", "BoolExpr", "NullTest", "BooleanTest", "CollateClause", "A_Star",
        "A_Indices", "A_Indirection", "A_ArrayExpr", "RowExpr", "CaseExpr", "CaseWhen", "CoalesceExpr",
        "MinMaxExpr", "SQLValueFunction", "GroupingSet", "GroupingFunc", "MultiAssignRef", "SetToDefault",
        "SortBy", "WindowDef", "List", "String", "Integer", "Float", "Boolean", "BitString", "Alias",
        "NamedArgExpr", "ColumnDef", "IndexElem", "InferClause", "CTESearchClause", "CTECycleClause",
    ]

    /// Where a table name leads.
    enum Resolution {
        case cte
        /// Schema mode: the tenant's own schema (explicitly, or unqualified through the proxy's search_path).
        case own
        case global(QualifiedName)
        case catalog
        case tenantTable(QualifiedName, column: String)
    }

    func query(_ node: SQLNode) throws(GateRefusal) {
        switch node.kind {
        case "SelectStmt": try select(node)
        case "InsertStmt": try insert(node)
        case "UpdateStmt": try update(node)
        case "DeleteStmt": try delete(node)
        default: throw unsupported("\(Self.describe(node.kind)) is not available to tenants", at: node.location)
        }
    }

    // MARK: WITH

    /// Analyses the CTEs of a WITH with PostgreSQL's visibility rules, then `body` with all of them visible.
    /// Non-recursive: a CTE sees only the CTEs before it (a same-named reference inside its own body is the
    /// real table). Recursive: every CTE of the list is visible in every body.
    func withCTEs(_ clause: SQLNode?, _ body: () throws(GateRefusal) -> Void) throws(GateRefusal) {
        guard let clause else { return try body() }
        let ctes = clause.nodes("ctes")
        guard ctes.allSatisfy({ $0.kind == "CommonTableExpr" }) else {
            throw unsupported("unrecognised WITH clause", at: clause.location)
        }
        let names = ctes.map { $0.string("ctename") }
        let recursive = clause.bool("recursive")
        for (index, cte) in ctes.enumerated() {
            cteScopes.append(Set(recursive ? names : Array(names[..<index])))
            guard let inner = cte.node("ctequery") else {
                throw unsupported("WITH query without a body", at: cte.location)
            }
            try query(inner)
            try expression(cte["search_clause"])
            try expression(cte["cycle_clause"])
            cteScopes.removeLast()
        }
        cteScopes.append(Set(names))
        try body()
        cteScopes.removeLast()
    }

    func isCTE(_ name: String) -> Bool {
        cteScopes.contains { $0.contains(name) }
    }

    // MARK: SELECT

    private static let selectExpressionFields = [
        "distinctClause", "targetList", "whereClause", "groupClause", "havingClause", "windowClause",
        "valuesLists", "sortClause", "limitOffset", "limitCount",
    ]
    private static let selectScalarFields: Set<String> = ["limitOption", "op", "all", "groupDistinct"]
    private static let selectKnownFields = Set(selectExpressionFields).union(selectScalarFields)
        .union(["withClause", "intoClause", "fromClause", "larg", "rarg", "lockingClause"])

    func select(_ node: SQLNode) throws(GateRefusal) {
        guard node.kind == "SelectStmt" else {
            throw unsupported("\(Self.describe(node.kind)) is not available here", at: node.location)
        }
        if node["intoClause"] != nil {
            throw unsupported("SELECT ... INTO is not available to tenants (it creates a table)",
                              at: node.node("intoClause")?.node("rel")?.location)
        }
        try rejectUnknownFields(node, known: Self.selectKnownFields)
        try withCTEs(node.node("withClause")) { () throws(GateRefusal) in
            for item in node.listValues("fromClause") { try fromItem(item) }
            for field in Self.selectExpressionFields { try expression(node[field]) }
            if let left = node.node("larg") { try select(left) }
            if let right = node.node("rarg") { try select(right) }
            try checkLocks(node)
        }
    }

    func rejectUnknownFields(_ node: SQLNode, known: Set<String>) throws(GateRefusal) {
        for (name, value) in node.fieldList where !known.contains(name) {
            switch value {
            case .node, .list, .untyped:
                throw unsupported("\(node.kind).\(name) is not available to tenants", at: node.location)
            default:
                continue
            }
        }
    }

    // MARK: FROM

    func fromItem(_ value: SQLValue) throws(GateRefusal) {
        switch value {
        case .null: return
        case .node(let node): try fromItemNode(node)
        default: throw unsupported("unrecognised FROM item", at: nil)
        }
    }

    private func fromItemNode(_ node: SQLNode) throws(GateRefusal) {
        switch node.kind {
        case "RangeVar":
            try readReference(node)
        case "RangeSubselect":
            if isShared, isConfinedSubquery(node) { return }
            if isEstimateFreeClassSubquery(node) { return try expression(node.node("subquery")?["targetList"]) }
            guard let subquery = node.node("subquery") else {
                throw unsupported("subquery without a query", at: nil)
            }
            try select(subquery)
        case "RangeFunction":
            try expression(node["functions"])
            try expression(node["coldeflist"])
        case "JoinExpr":
            try fromItem(node["larg"] ?? .null)
            try fromItem(node["rarg"] ?? .null)
            try expression(node["quals"])
        case "RangeTableSample":
            let method = node.names("method") ?? []
            guard let name = method.last, ["bernoulli", "system"].contains(name),
                  method.count == 1 || (method.count == 2 && method[0] == "pg_catalog") else {
                throw refusal("this TABLESAMPLE method is not available to tenants", at: node.location)
            }
            if let relation = node.node("relation"), relation.kind == "RangeVar", isShared,
               case .tenantTable(let table, _) = try resolve(relation, allowCTE: true) {
                throw unsupported("TABLESAMPLE on tenant table \(table) cannot be confined", at: relation.location)
            }
            try fromItem(node["relation"] ?? .null)
            try expression(node["args"])
            try expression(node["repeatable"])
        case "RangeTableFunc":
            throw unsupported("XMLTABLE is not available to tenants", at: node.location)
        default:
            throw unsupported("\(node.kind) in FROM is not available to tenants", at: node.location)
        }
    }

    /// A table read in FROM/JOIN/USING: resolved; pg_class loses its row estimates; in shared mode tenant
    /// tables are confined and global ones qualified.
    private func readReference(_ relation: SQLNode) throws(GateRefusal) {
        let resolution = try resolve(relation, allowCTE: true)
        switch resolution {
        case .cte, .own:
            return
        case .catalog:
            if Self.isPgClass(relation) { try hideEstimates(relation) }
        case .global(let name):
            if isShared { try qualifyIfNeeded(relation, schema: name.schema) }
        case .tenantTable(let name, let column):
            try wrap(relation, table: name, column: column)
        }
    }

    /// Resolves a RangeVar the way the server will, or refuses it.
    ///
    /// Unqualified names: a CTE in scope first (when the position allows one); then `pg_*` names go to
    /// `pg_catalog`, which PostgreSQL searches before any search_path entry, and must be readable catalog
    /// relations (an unknown `pg_*` name is refused, as it may be a catalog view this list does not know);
    /// schema mode then resolves to the tenant's schema (the proxy's search_path); shared mode looks the
    /// name up in `policy.searchPath`, and the rewrite then qualifies it, so the server cannot pick another.
    func resolve(_ relation: SQLNode, allowCTE: Bool) throws(GateRefusal) -> Resolution {
        let schema = relation.string("schemaname")
        let name = relation.string("relname")
        let location = relation.location
        if schema.isEmpty {
            if allowCTE && isCTE(name) { return .cte }
            if name.hasPrefix("pg_") {
                guard CatalogRelations.isReadable(schema: "pg_catalog", name: name) else {
                    throw refusal("relation \(name) is not available to tenants", at: location)
                }
                return .catalog
            }
            switch policy.isolation {
            case .schema:
                return .own
            case .shared(_, let tables, let globals):
                for schema in policy.searchPath {
                    let candidate = QualifiedName(schema: schema, name: name)
                    if let column = tables[candidate] { return .tenantTable(candidate, column: column) }
                    if globals.contains(candidate) { return .global(candidate) }
                }
                throw refusal("relation \(name) is not a table of tenant \(policy.tenant)", at: location)
            }
        }
        if schema == "pg_catalog" || schema == "information_schema" {
            guard CatalogRelations.isReadable(schema: schema, name: name) else {
                throw refusal("relation \(schema).\(name) is not available to tenants", at: location)
            }
            return .catalog
        }
        let qualified = QualifiedName(schema: schema, name: name)
        switch policy.isolation {
        case .schema(let own, let globals):
            if schema == own { return .own }
            if globals.contains(qualified) { return .global(qualified) }
            throw refusal("schema \(schema) is outside tenant \(policy.tenant)", at: location)
        case .shared(_, let tables, let globals):
            if let column = tables[qualified] { return .tenantTable(qualified, column: column) }
            if globals.contains(qualified) { return .global(qualified) }
            throw refusal("relation \(qualified) is outside tenant \(policy.tenant)", at: location)
        }
    }

    /// Resolves the table an INSERT/UPDATE/DELETE/COPY FROM writes: never a CTE, catalog or global table.
    func target(_ relation: SQLNode) throws(GateRefusal) -> Resolution {
        let resolution = try resolve(relation, allowCTE: false)
        switch resolution {
        case .own, .tenantTable:
            return resolution
        case .global(let name):
            throw refusal("global table \(name) is read-only for tenants", at: relation.location)
        case .catalog, .cte:
            throw refusal("catalog relations are read-only for tenants", at: relation.location)
        }
    }

    // MARK: Expressions

    func expression(_ value: SQLValue?) throws(GateRefusal) {
        guard let value else { return }
        switch value {
        case .node(let node): try expressionNode(node)
        case .list(let items): for item in items { try expression(item) }
        case .untyped: throw unsupported("a construct bulkhead cannot inspect", at: nil)
        default: return
        }
    }

    private func children(_ node: SQLNode) throws(GateRefusal) {
        for field in node.fieldList { try expression(field.value) }
    }

    private func expressionNode(_ node: SQLNode) throws(GateRefusal) {
        switch node.kind {
        case "SelectStmt":
            try select(node)
        case "FuncCall":
            try checkFunction(node)
            try children(node)
        case "TypeCast":
            try children(node)
        case "TypeName":
            try checkType(node)
            try children(node)
        case "ColumnRef":
            try columnReference(node)
        case "A_Expr":
            try checkOperator(node.names("name"), at: node.location)
            try children(node)
        case "SubLink":
            try checkOperator(node.names("operName"), at: node.location)
            try children(node)
        case "CurrentOfExpr":
            if isShared { throw unsupported("WHERE CURRENT OF cannot be confined in shared mode", at: nil) }
        case "XmlExpr", "XmlSerialize", "RangeTableFunc":
            throw unsupported("XML functions are not available to tenants", at: node.location)
        default:
            guard Self.plainExpressionKinds.contains(node.kind) else {
                throw unsupported("\(node.kind) is not available to tenants", at: node.location)
            }
            try children(node)
        }
    }

    private func checkFunction(_ node: SQLNode) throws(GateRefusal) {
        guard let name = node.functionName else {
            throw refusal("unrecognised function name", at: node.location)
        }
        if FunctionNameSet.isBuiltin(name, in: FunctionCatalog.tenantSafe) { return }
        if FunctionNameSet(policy.allowedFunctions).contains(name) { return }
        throw refusal("function \(name) is not available to tenants", at: node.location)
    }

    /// Type names carry no data, but a qualified one must still stay inside the tenant's schemas, and the
    /// `xml` type is refused with the XML functions (its parser is a large attack surface).
    private func checkType(_ node: SQLNode) throws(GateRefusal) {
        guard let names = node.names("names"), let last = names.last else {
            throw unsupported("unrecognised type name", at: node.location)
        }
        if last == "xml" && (names.count == 1 || names[names.count - 2] == "pg_catalog") {
            throw unsupported("the xml type is not available to tenants", at: node.location)
        }
        guard names.count >= 2 else { return }
        let schema = names[names.count - 2]
        if schema == "pg_catalog" { return }
        switch policy.isolation {
        case .schema(let own, let globals):
            if schema == own || globals.contains(where: { $0.schema == schema }) { return }
            throw refusal("schema \(schema) is outside tenant \(policy.tenant)", at: node.location)
        case .shared(_, let tables, let globals):
            if tables.keys.contains(where: { $0.schema == schema }) || globals.contains(where: { $0.schema == schema })
                || policy.searchPath.contains(schema) { return }
            throw refusal("schema \(schema) is outside tenant \(policy.tenant)", at: node.location)
        }
    }

    private func checkOperator(_ names: [String]?, at location: Int?) throws(GateRefusal) {
        guard let names else { throw unsupported("unrecognised operator", at: location) }
        if names.count >= 2 && names[names.count - 2] != "pg_catalog" {
            throw refusal("operators outside pg_catalog are not available to tenants", at: location)
        }
    }

    /// `schema.table.column` naming a table the rewrite replaces by a subquery (a tenant table in shared mode,
    /// pg_class in any mode) loses its schema, because a subquery's alias cannot carry one.
    private func columnReference(_ node: SQLNode) throws(GateRefusal) {
        // `schema.table.column` (or `.*`, or with a database in front).
        let fields = node.nodes("fields")
        guard fields.count >= 3, let location = node.location else { return }
        let schema = fields[fields.count - 3].string("sval")
        let table = fields[fields.count - 2].string("sval")
        if case .schema(let own, let globals) = policy.isolation {
            // The schema must be one the tenant may name.
            guard schema == own || schema == "pg_catalog" || schema == "information_schema"
                || globals.contains(where: { $0.schema == schema }) else {
                throw refusal("schema \(schema) is outside tenant \(policy.tenant)", at: node.location)
            }
        }
        guard isReadThroughSubquery(schema: schema, table: table) else { return }
        let tokens = try tokens(at: location)
        guard let first = tokens.position(startingAt: location) else { return }
        let dropped = fields.count - 2
        for part in 0..<dropped {
            let position = first + 2 * part
            guard tokens.identifierEnd(position) == position, tokens.isKind(position + 1, SQLToken.dot) else { return }
        }
        let end = first + 2 * dropped
        guard end < tokens.count else { return }
        cosmetic(TextEdit(range: tokens.token(first).start..<tokens.token(end).start, replacement: ""))
    }

    private func isReadThroughSubquery(schema: String, table: String) -> Bool {
        if schema == "pg_catalog" && table == "pg_class" { return true }
        guard case .shared(_, let tables, _) = policy.isolation else { return false }
        return tables[QualifiedName(schema: schema, name: table)] != nil
    }

    // MARK: INSERT, UPDATE, DELETE

    private static let insertKnownFields: Set<String> = [
        "relation", "cols", "selectStmt", "onConflictClause", "returningList", "withClause", "override",
    ]
    private static let updateKnownFields: Set<String> = [
        "relation", "targetList", "whereClause", "fromClause", "returningList", "withClause",
    ]
    private static let deleteKnownFields: Set<String> = [
        "relation", "usingClause", "whereClause", "returningList", "withClause",
    ]

    private func insert(_ node: SQLNode) throws(GateRefusal) {
        try rejectUnknownFields(node, known: Self.insertKnownFields)
        try withCTEs(node.node("withClause")) { () throws(GateRefusal) in
            guard let relation = node.node("relation") else { throw unsupported("INSERT without a table", at: nil) }
            let resolution = try target(relation)
            try expression(node["cols"])
            if let source = node.node("selectStmt") { try select(source) }
            if let conflict = node.node("onConflictClause") {
                guard conflict.kind == "OnConflictClause" else { throw unsupported("unrecognised ON CONFLICT", at: nil) }
                try rejectUnknownFields(conflict, known: ["infer", "targetList", "whereClause"])
                try expression(conflict["infer"])
                try expression(conflict["targetList"])
                try expression(conflict["whereClause"])
            }
            try expression(node["returningList"])
            if case .tenantTable(let table, let column) = resolution {
                try qualifyIfNeeded(relation, schema: table.schema)
                try confineInsert(node, relation: relation, table: table, column: column)
            }
        }
    }

    private func update(_ node: SQLNode) throws(GateRefusal) {
        try rejectUnknownFields(node, known: Self.updateKnownFields)
        try withCTEs(node.node("withClause")) { () throws(GateRefusal) in
            guard let relation = node.node("relation") else { throw unsupported("UPDATE without a table", at: nil) }
            let resolution = try target(relation)
            try expression(node["targetList"])
            for item in node.listValues("fromClause") { try fromItem(item) }
            try expression(node["whereClause"])
            try expression(node["returningList"])
            if case .tenantTable(let table, let column) = resolution {
                for assignment in node.nodes("targetList") where assignment.string("name") == column {
                    throw refusal("UPDATE may not change tenant column \(column) of \(table)", at: assignment.location)
                }
                try qualifyIfNeeded(relation, schema: table.schema)
                try confineTarget(of: node, relation: relation, column: column, keyword: "update")
            }
        }
    }

    private func delete(_ node: SQLNode) throws(GateRefusal) {
        try rejectUnknownFields(node, known: Self.deleteKnownFields)
        try withCTEs(node.node("withClause")) { () throws(GateRefusal) in
            guard let relation = node.node("relation") else { throw unsupported("DELETE without a table", at: nil) }
            let resolution = try target(relation)
            for item in node.listValues("usingClause") { try fromItem(item) }
            try expression(node["whereClause"])
            try expression(node["returningList"])
            if case .tenantTable(let table, let column) = resolution {
                try qualifyIfNeeded(relation, schema: table.schema)
                try confineTarget(of: node, relation: relation, column: column, keyword: "delete")
            }
        }
    }
}

extension SQLNode {
    /// The raw elements of a list field (empty when absent).
    func listValues(_ field: String) -> [SQLValue] {
        if case .list(let items)? = self[field] { return items }
        return []
    }
}

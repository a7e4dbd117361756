// Shared mode: the splices that confine tenant tables, and the exact shapes the verifier accepts as confined.

extension TenantAnalyzer {
    var tenantID: Int64 {
        if case .shared(let id, _, _) = policy.isolation { return id }
        return 0
    }

    // MARK: Recognised confined shapes

    /// True for a literal equal to the tenant id, read through `ParsedSQL.constantValue` (token-checked): a
    /// number, or a string spelling exactly that number (`'1'`, as clients that inline parameters send it; any
    /// other spelling is left to the guard or refused).
    func isTenantConstant(_ node: SQLNode?) -> Bool {
        guard let node, let value = parsed.constantValue(of: node) else { return false }
        let id = String(tenantID)
        return value == .integer(tenantID) || value == .number(id) || value == .string(id)
    }

    /// `refname.column = ANY ('{<tenant id>}')`, exactly: the one form of the tenant predicate.
    ///
    /// Why not `column = <id>`: PostgreSQL evaluates a scan's filter conditions cheapest first, and moves a
    /// `column = constant` condition into an equivalence class whose regenerated clause it evaluates last.
    /// A tenant condition that runs after the tenant's own conditions lets an erroring function read other
    /// tenants' rows (`WHERE has_schema_privilege(content, 'usage')` puts another tenant's content in the
    /// error message). `= ANY` of a one-element array forms no equivalence class and costs half an operator
    /// call, less than any function a tenant can write, so it runs first; the confining splices also put it
    /// first in every condition list, so that equal costs keep it first, and ON CONFLICT's WHERE (evaluated
    /// in written order) checks it first too. Indexes on the tenant column still serve it.
    func isTenantMembership(_ node: SQLNode, refname: String, column: String) -> Bool {
        guard node.kind == "A_Expr", node.string("kind") == "AEXPR_OP_ANY", node.names("name") == ["="],
              let left = node.node("lexpr"), left.kind == "ColumnRef", left.names("fields") == [refname, column],
              let right = node.node("rexpr"), case .string(let text)? = parsed.constantValue(of: right)
        else { return false }
        return text == "{\(tenantID)}"
    }

    /// A WHERE that confines `refname` first: the tenant predicate itself, or the first conjunct of a
    /// top-level AND (a later conjunct may run after the tenant's own conditions, see `isTenantMembership`).
    func isConfinedPredicate(_ node: SQLNode?, refname: String, column: String) -> Bool {
        guard let node else { return false }
        if isTenantMembership(node, refname: refname, column: column) { return true }
        guard node.kind == "BoolExpr", node.string("boolop") == "AND_EXPR", let first = node.nodes("args").first else {
            return false
        }
        return isTenantMembership(first, refname: refname, column: column)
    }

    /// `(SELECT * FROM schema.table WHERE table.column = ANY ('{<id>}')) [AS alias]` with nothing else in the subquery:
    /// the only form in which a tenant table may be read. The table must be schema-qualified, so the server's
    /// search_path cannot make it another table.
    func isConfinedSubquery(_ node: SQLNode) -> Bool {
        guard case .shared(_, let tables, _) = policy.isolation,
              let query = node.node("subquery"), Self.isPlainSelect(query, allowingWhere: true) else { return false }
        let targets = query.nodes("targetList")
        guard targets.count == 1, targets[0].kind == "ResTarget", targets[0].fieldList.allSatisfy({ $0.name == "val" || $0.name == "location" }),
              let star = targets[0].node("val"), star.kind == "ColumnRef",
              star.nodes("fields").map(\.kind) == ["A_Star"] else { return false }
        let from = query.listValues("fromClause")
        guard from.count == 1, case .node(let relation) = from[0], relation.kind == "RangeVar",
              relation["alias"] == nil, relation.string("catalogname").isEmpty else { return false }
        let schema = relation.string("schemaname")
        let name = relation.string("relname")
        guard !schema.isEmpty, let column = tables[QualifiedName(schema: schema, name: name)] else { return false }
        guard let condition = query.node("whereClause") else { return false }
        return isTenantMembership(condition, refname: name, column: column)
    }

    /// A SELECT holding only a target list, a FROM list and (when allowed) a WHERE: no DISTINCT, grouping,
    /// ordering, limit, set operation, locking clause or WITH. The rewrites' subqueries have this form.
    static func isPlainSelect(_ query: SQLNode, allowingWhere: Bool) -> Bool {
        guard query.kind == "SelectStmt" else { return false }
        for (name, value) in query.fieldList {
            switch name {
            case "targetList", "fromClause": continue
            case "whereClause": guard allowingWhere else { return false }
            case "limitOption": guard case .string("LIMIT_OPTION_DEFAULT") = value else { return false }
            case "op": guard case .string("SETOP_NONE") = value else { return false }
            default: return false
            }
        }
        return true
    }

    /// `CASE WHEN ... THEN <tenant id> END`: whatever the condition, the value is the tenant id or NULL.
    func isGuardedValue(_ node: SQLNode) -> Bool {
        guard node.kind == "CaseExpr", node["arg"] == nil, node["defresult"] == nil else { return false }
        let whens = node.nodes("args")
        guard whens.count == 1, whens[0].kind == "CaseWhen" else { return false }
        return isTenantConstant(whens[0].node("result"))
    }

    // MARK: Splices

    private func predicate(refname: String, column: String) -> String {
        "\(QualifiedName.quote(refname)).\(QualifiedName.quote(column)) = ANY ('{\(tenantID)}')"
    }

    /// Prefixes an unqualified table name with its schema, so the server resolves exactly the checked table.
    func qualifyIfNeeded(_ relation: SQLNode, schema: String?) throws(GateRefusal) {
        guard relation.string("schemaname").isEmpty, let schema, let location = relation.location else { return }
        try require(TextEdit(range: location..<location, replacement: QualifiedName.quote(schema) + "."),
                    because: "unqualified table", at: location)
    }

    /// Replaces a FROM reference `[ONLY] schema.table [AS] alias[(cols)]` by
    /// `(SELECT * FROM [ONLY] "schema"."table" WHERE "table"."column" = ANY ('{id}')) AS alias[(cols)]`.
    func wrap(_ relation: SQLNode, table: QualifiedName, column: String) throws(GateRefusal) {
        try replaceReference(relation, named: table, because: "unconfined read of \(table)") { only in
            "SELECT * FROM \(only ? "ONLY " : "")\(table.quotedSQL) WHERE \(predicate(refname: table.name, column: column))"
        }
    }

    /// Replaces a FROM reference `[ONLY] [schema.]table[ *] [AS] alias[(cols)]` by `(<query>) AS alias[(cols)]`,
    /// where `query(only)` reads the table; without an alias the table's own name stays the reference's name.
    func replaceReference(_ relation: SQLNode, named table: QualifiedName, because reason: String,
                          query: (_ only: Bool) -> String) throws(GateRefusal) {
        let location = relation.location
        let tokens = try tokens(at: location)
        guard let location, var first = tokens.position(startingAt: location) else {
            throw refusal("reference to table \(table) could not be located", at: location)
        }
        let partCount = 1 + (relation.string("schemaname").isEmpty ? 0 : 1) + (relation.string("catalogname").isEmpty ? 0 : 1)
        var last = tokens.identifierEnd(first)
        for _ in 1..<partCount {
            guard tokens.isKind(last + 1, SQLToken.dot), last + 2 < tokens.count else {
                throw unsupported("this spelling of table \(table) cannot be rewritten", at: location)
            }
            last = tokens.identifierEnd(last + 2)
        }
        if tokens.isKind(last + 1, 42) { last += 1 }  // `table *`: inheritance, the default anyway
        let only = !relation.bool("inh")
        if only {
            guard tokens.isKeyword(first - 1, "only") else {
                throw unsupported("this spelling of ONLY \(table) cannot be rewritten", at: location)
            }
            first -= 1
        }
        var aliasText = QualifiedName.quote(table.name)
        if let alias = relation.node("alias") {
            var aliasStart = last + 1
            if tokens.isKeyword(aliasStart, "as") { aliasStart += 1 }
            guard aliasStart < tokens.count else {
                throw unsupported("the alias of table \(table) could not be located", at: location)
            }
            var aliasEnd = tokens.identifierEnd(aliasStart)
            if !alias.listValues("colnames").isEmpty {
                guard let close = tokens.matchingClose(aliasEnd + 1) else {
                    throw unsupported("the column aliases of table \(table) could not be located", at: location)
                }
                aliasEnd = close
            }
            aliasText = parsed.text(of: tokens.bytes(aliasStart, aliasEnd))
            last = aliasEnd
        }
        try require(TextEdit(range: tokens.bytes(first, last), replacement: "(\(query(only))) AS \(aliasText)"),
                    because: reason, at: location)
    }

    /// Confines the target of an UPDATE or DELETE: `WHERE <tenant predicate> AND (original)`, or
    /// `WHERE <tenant predicate>` when there was none, inserted before RETURNING.
    func confineTarget(of node: SQLNode, relation: SQLNode, column: String, keyword: String) throws(GateRefusal) {
        let refname = relation.node("alias")?.string("aliasname") ?? relation.string("relname")
        if isConfinedPredicate(node.node("whereClause"), refname: refname, column: column) { return }
        let location = relation.location
        let tokens = try tokens(at: location)
        guard let location, let relationPosition = tokens.position(startingAt: location),
              let start = dmlKeyword(keyword, before: relationPosition, in: tokens) else {
            throw refusal("the \(keyword.uppercased()) could not be confined", at: location)
        }
        let extent = tokens.extent(from: start)
        let level = tokens.level(start)
        let clauses = relationPosition..<extent.upperBound
        try confineClause(where: tokens.firstKeyword("where", in: clauses, level: level),
                          hasWhere: node["whereClause"] != nil,
                          end: tokens.firstKeyword("returning", in: clauses, level: level) ?? extent.upperBound,
                          tokens: tokens, refname: refname, column: column, location: location)
    }

    /// The UPDATE / DELETE keyword owning a target table: `UPDATE [ONLY] t`, `DELETE FROM [ONLY] t`.
    private func dmlKeyword(_ keyword: String, before position: Int, in tokens: StatementTokens) -> Int? {
        var candidate = position - 1
        if tokens.isKeyword(candidate, "only") { candidate -= 1 }
        if keyword == "delete" {
            guard tokens.isKeyword(candidate, "from") else { return nil }
            candidate -= 1
        }
        return tokens.isKeyword(candidate, keyword) ? candidate : nil
    }

    /// Puts the tenant predicate in front of a WHERE that runs from `wherePosition` to `end` (exclusive), or adds
    /// a WHERE just before `end`. In front, because conditions of equal cost run in written order (see
    /// `isTenantMembership`). Only insertions at token boundaries, so nothing lands in a comment or string.
    private func confineClause(where wherePosition: Int?, hasWhere: Bool, end: Int, tokens: StatementTokens,
                               refname: String, column: String, location: Int) throws(GateRefusal) {
        guard (wherePosition != nil) == hasWhere, end > 0 else {
            throw refusal("the WHERE clause could not be located", at: location)
        }
        let condition = predicate(refname: refname, column: column)
        let lastByte = tokens.token(end - 1).end
        if let wherePosition {
            guard wherePosition + 1 < end else { throw refusal("empty WHERE clause", at: location) }
            try require(TextEdit(range: tokens.token(wherePosition + 1).start..<tokens.token(wherePosition + 1).start,
                                 replacement: "\(condition) AND ("), because: "unconfined target", at: location)
            try require(TextEdit(range: lastByte..<lastByte, replacement: ")"),
                        because: "unconfined target", at: location)
        } else {
            try require(TextEdit(range: lastByte..<lastByte, replacement: " WHERE \(condition)"),
                        because: "unconfined target", at: location)
        }
    }

    /// INSERT into a tenant table: the tenant column must be written as the tenant id. A missing tenant column
    /// is added with the tenant id; a literal must equal it; any other value `v` becomes
    /// `CASE WHEN (v) = id THEN id END` (the id, or NULL, which the tenant column's NOT NULL refuses).
    /// ON CONFLICT DO UPDATE may not set the tenant column and only updates the tenant's own conflicting row.
    func confineInsert(_ node: SQLNode, relation: SQLNode, table: QualifiedName, column: String) throws(GateRefusal) {
        let location = relation.location
        let columns = node.nodes("cols")
        guard !columns.isEmpty else {
            throw refusal("INSERT into tenant table \(table) needs a column list", at: location)
        }
        guard let source = node.node("selectStmt") else {
            throw refusal("INSERT ... DEFAULT VALUES into tenant table \(table) cannot set \(column)", at: location)
        }
        let index = columns.firstIndex { $0.string("name") == column }
        if let index, columns[index]["indirection"] != nil {
            throw refusal("INSERT may not write into parts of tenant column \(column)", at: columns[index].location)
        }
        let rows = source.listValues("valuesLists")
        if rows.isEmpty {
            try confineInsertSelect(source, columnIndex: index, columnCount: columns.count, relation: relation,
                                    table: table, column: column)
        } else {
            try confineValues(rows, source: source, columnIndex: index, relation: relation, column: column)
        }
        if let conflict = node.node("onConflictClause"), conflict.string("action") == "ONCONFLICT_UPDATE" {
            for assignment in conflict.nodes("targetList") where assignment.string("name") == column {
                throw refusal("ON CONFLICT DO UPDATE may not change tenant column \(column)", at: assignment.location)
            }
            let refname = relation.node("alias")?.string("aliasname") ?? relation.string("relname")
            if !isConfinedPredicate(conflict.node("whereClause"), refname: refname, column: column) {
                try confineConflictUpdate(conflict, refname: refname, column: column, location: location)
            }
        }
    }

    /// INSERT ... SELECT (e.g. SQLAlchemy's bulk `INSERT ... SELECT p0, p1 FROM (VALUES ...) ORDER BY sen`):
    /// the tenant column must be listed, and its select-list expression gets the same guard as a VALUES item.
    private func confineInsertSelect(_ source: SQLNode, columnIndex: Int?, columnCount: Int, relation: SQLNode,
                                     table: QualifiedName, column: String) throws(GateRefusal) {
        let location = relation.location
        guard let columnIndex else {
            throw refusal("INSERT ... SELECT into tenant table \(table) must list \(column)", at: location)
        }
        let targets = source.nodes("targetList")
        guard source.string("op") == "SETOP_NONE", source["larg"] == nil, targets.count == columnCount else {
            throw refusal("INSERT ... SELECT into tenant table \(table) must be a plain SELECT", at: location)
        }
        let target = targets[columnIndex]
        guard let value = target.node("val") else { throw refusal("unrecognised select list", at: location) }
        if isTenantConstant(value) || isGuardedValue(value) { return }
        if value.kind == "A_Const" {
            let written = parsed.constantValue(of: value)?.text ?? "NULL"
            throw refusal("INSERT writes \(column) = \(written), outside tenant \(policy.tenant)", at: value.location)
        }
        let site = try insertSite(relation)
        let tokens = site.tokens
        var select = site.columnsClose + 1
        if tokens.isKeyword(select, "overriding") { select += 3 }
        guard tokens.isKeyword(select, "select"), tokens.level(select) == site.level else {
            throw refusal("INSERT ... SELECT into tenant table \(table) must start its query with SELECT", at: location)
        }
        let stops: Set<String> = ["from", "where", "group", "having", "window", "order", "limit", "offset", "fetch",
                                  "for", "union", "intersect", "except", "on", "returning", "into"]
        let start = select + 1
        let end = (start..<site.extent.upperBound).first { position in
            tokens.level(position) == site.level && stops.contains { tokens.isKeyword(position, $0) }
        } ?? site.extent.upperBound
        let elements = splitElements(tokens, from: start, to: end, level: site.level)
        guard elements.count == targets.count, let targetLocation = target.location,
              tokens.token(elements[columnIndex].lowerBound).start == targetLocation else {
            throw refusal("the select list of the INSERT could not be located", at: location)
        }
        var element = elements[columnIndex]
        if target["name"] != nil {
            // Keep `AS alias` outside the guard.
            var last = element.upperBound - 1
            if tokens.isKeyword(last - 2, "uescape") { last -= 2 }
            last -= 1
            if tokens.isKeyword(last, "as") { last -= 1 }
            guard last >= element.lowerBound else { throw refusal("unrecognised select list", at: location) }
            element = element.lowerBound..<(last + 1)
        }
        try guardValue(element, tokens: tokens, location: location)
    }

    /// Where an INSERT's pieces are: its keyword level and extent, and its column list.
    private func insertSite(_ relation: SQLNode) throws(GateRefusal)
        -> (tokens: StatementTokens, level: Int, extent: Range<Int>, columnsOpen: Int, columnsClose: Int) {
        let location = relation.location
        let tokens = try tokens(at: location)
        guard let location, let relationPosition = tokens.position(startingAt: location),
              let insertPosition = (0..<relationPosition).last(where: { tokens.isKeyword($0, "insert") }) else {
            throw refusal("the INSERT could not be located", at: location)
        }
        let level = tokens.level(insertPosition)
        let extent = tokens.extent(from: insertPosition)
        guard let open = (relationPosition..<extent.upperBound).first(where: {
                  tokens.level($0) == level && tokens.isKind($0, SQLToken.openParen) }),
              let close = tokens.matchingClose(open) else {
            throw refusal("the INSERT column list could not be located", at: location)
        }
        return (tokens, level, extent, open, close)
    }

    /// Wraps the value at token positions `element` as `CASE WHEN (value) = id THEN id END`, by two insertions.
    private func guardValue(_ element: Range<Int>, tokens: StatementTokens, location: Int?) throws(GateRefusal) {
        let start = tokens.token(element.lowerBound).start
        let end = tokens.token(element.upperBound - 1).end
        try require(TextEdit(range: start..<start, replacement: "CASE WHEN ("), because: "unchecked tenant value",
                    at: location)
        try require(TextEdit(range: end..<end, replacement: ") = \(tenantID) THEN \(tenantID) END"),
                    because: "unchecked tenant value", at: location)
    }

    private func confineValues(_ rows: [SQLValue], source: SQLNode, columnIndex: Int?, relation: SQLNode,
                               column: String) throws(GateRefusal) {
        let location = relation.location
        let site = try insertSite(relation)
        let tokens = site.tokens
        let level = site.level
        let extent = site.extent
        let close = site.columnsClose
        guard let values = tokens.firstKeyword("values", in: (close + 1)..<extent.upperBound, level: level) else {
            throw refusal("the INSERT VALUES could not be located", at: location)
        }
        if columnIndex == nil {
            let at = tokens.token(close).start
            try require(TextEdit(range: at..<at, replacement: ", " + QualifiedName.quote(column)),
                        because: "tenant column missing", at: location)
        }
        var groups: [(Int, Int)] = []
        var position = values + 1
        while position < extent.upperBound, tokens.level(position) == level, tokens.isKind(position, SQLToken.openParen),
              let rowClose = tokens.matchingClose(position) {
            groups.append((position, rowClose))
            position = rowClose + 1
            guard tokens.isKind(position, SQLToken.comma), tokens.level(position) == level else { break }
            position += 1
        }
        guard groups.count == rows.count else {
            throw refusal("the VALUES rows could not be located", at: location)
        }
        for (row, group) in zip(rows, groups) {
            guard case .node(let list) = row else { throw refusal("unrecognised VALUES row", at: location) }
            let items = list.listValues("items")
            let elements = splitElements(tokens, from: group.0 + 1, to: group.1, level: level + 1)
            guard elements.count == items.count else {
                throw refusal("the VALUES row could not be split", at: location)
            }
            guard let columnIndex else {
                let at = tokens.token(group.1).start
                try require(TextEdit(range: at..<at, replacement: ", \(tenantID)"),
                            because: "tenant column missing", at: location)
                continue
            }
            guard columnIndex < items.count, case .node(let value) = items[columnIndex] else {
                throw refusal("VALUES row does not match the column list", at: location)
            }
            if isTenantConstant(value) || isGuardedValue(value) { continue }
            if value.kind == "A_Const" {
                let written = parsed.constantValue(of: value)?.text ?? "NULL"
                throw refusal("INSERT writes \(column) = \(written), outside tenant \(policy.tenant)", at: value.location)
            }
            if value.kind == "SetToDefault" {
                throw refusal("INSERT may not use DEFAULT for tenant column \(column)", at: location)
            }
            try guardValue(elements[columnIndex], tokens: tokens, location: location)
        }
    }

    /// The comma-separated element ranges (token positions) between `start` and `end` at `level`.
    private func splitElements(_ tokens: StatementTokens, from start: Int, to end: Int, level: Int) -> [Range<Int>] {
        var result: [Range<Int>] = []
        var elementStart = start
        for position in start..<max(start, end) where tokens.level(position) == level && tokens.isKind(position, SQLToken.comma) {
            result.append(elementStart..<position)
            elementStart = position + 1
        }
        if elementStart < end { result.append(elementStart..<end) }
        return result.filter { !$0.isEmpty }
    }

    private func confineConflictUpdate(_ conflict: SQLNode, refname: String, column: String,
                                       location: Int?) throws(GateRefusal) {
        let tokens = try tokens(at: conflict.location)
        guard let conflictLocation = conflict.location, let on = tokens.position(startingAt: conflictLocation),
              let location else {
            throw refusal("ON CONFLICT could not be located", at: location)
        }
        let level = tokens.level(on)
        let extent = tokens.extent(from: on)
        guard let doPosition = tokens.firstKeyword("do", in: on..<extent.upperBound, level: level),
              tokens.isKeyword(doPosition + 1, "update") else {
            throw refusal("ON CONFLICT DO UPDATE could not be located", at: location)
        }
        let clauses = (doPosition + 2)..<extent.upperBound
        try confineClause(where: tokens.firstKeyword("where", in: clauses, level: level),
                          hasWhere: conflict["whereClause"] != nil,
                          end: tokens.firstKeyword("returning", in: clauses, level: level) ?? extent.upperBound,
                          tokens: tokens, refname: refname, column: column, location: location)
    }
}

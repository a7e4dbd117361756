// Shared mode: EXPLAIN shows plans without the figures that count or estimate other tenants' rows.

extension TenantAnalyzer {
    /// In shared mode a tenant's rows sit in the same tables as everyone else's, so EXPLAIN's figures describe
    /// all tenants: ANALYZE prints `Rows Removed by Filter` (the other tenants' row count, for a scan the
    /// tenant predicate filters), and cost estimates come from statistics over every tenant's values (a guessed
    /// value that is common elsewhere changes the estimate). So ANALYZE is refused and COSTS is forced off;
    /// the plan's shape stays visible. Schema mode needs neither: a tenant can only EXPLAIN its own tables.
    func checkSharedExplain(_ node: SQLNode) throws(GateRefusal) {
        let options = node.nodes("options").filter { $0.kind == "DefElem" }
        guard options.count == node.nodes("options").count else {
            throw unsupported("unrecognised EXPLAIN option", at: statementStart)
        }
        // Like COSTS below, the last ANALYZE option wins, so any one that is not explicitly false refuses.
        if let analyze = options.first(where: { $0.string("defname") == "analyze" && !Self.isFalse($0) }) {
            throw refusal("EXPLAIN ANALYZE is not available to tenants of a shared-schema database "
                          + "(its row counts include other tenants' rows)", at: analyze.location ?? statementStart)
        }
        let costs = options.filter { $0.string("defname") == "costs" }
        if !costs.isEmpty {
            // Every COSTS option must say off, whichever PostgreSQL reads last.
            guard costs.allSatisfy(Self.isFalse) else {
                throw refusal("EXPLAIN with COSTS is not available to tenants of a shared-schema database "
                              + "(estimates are drawn from other tenants' rows); use COSTS OFF",
                              at: costs.first { !Self.isFalse($0) }?.location ?? statementStart)
            }
            return
        }
        try require(costsOffEdit(), because: "EXPLAIN with estimates", at: statementStart)
    }

    /// `EXPLAIN (options) q` gets `COSTS OFF, ` inside its parentheses; `EXPLAIN VERBOSE q` becomes
    /// `EXPLAIN (VERBOSE, COSTS OFF) q`; `EXPLAIN q` becomes `EXPLAIN (COSTS OFF) q`.
    private func costsOffEdit() throws(GateRefusal) -> TextEdit {
        let tokens = try tokens(at: statementStart)
        guard let start = statementStart, let explain = tokens.position(startingAt: start),
              tokens.isKeyword(explain, "explain") else {
            throw unsupported("this spelling of EXPLAIN cannot be rewritten", at: statementStart)
        }
        let next = explain + 1
        if tokens.isKind(next, SQLToken.openParen) {
            let end = tokens.token(next).end
            return TextEdit(range: end..<end, replacement: "COSTS OFF, ")
        }
        if tokens.isKeyword(next, "verbose") {
            return TextEdit(range: tokens.bytes(next, next), replacement: "(VERBOSE, COSTS OFF)")
        }
        let end = tokens.token(explain).end
        return TextEdit(range: end..<end, replacement: " (COSTS OFF)")
    }

    /// True when a boolean EXPLAIN option is explicitly false, as PostgreSQL's `defGetBoolean` reads it.
    private static func isFalse(_ option: SQLNode) -> Bool {
        guard let argument = option.node("arg") else { return false }  // a bare option means true
        switch argument.kind {
        case "Integer": return argument.integer("ival") == 0
        case "String", "Boolean":
            let text = argument.kind == "Boolean" ? (argument.bool("boolval") ? "true" : "false") : argument.string("sval")
            return ["false", "off"].contains(text.lowercased())
        default: return false
        }
    }
}

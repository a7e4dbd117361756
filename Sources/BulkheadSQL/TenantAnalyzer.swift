// Walks every statement of a text for one tenant: refuses what the allowlist does not cover, and in shared
// mode collects the splices that confine tenant tables.

/// One analysis of one parsed text under one policy.
///
/// The same walk serves twice: in the `.rewrite` pass it records the `TextEdit`s that confine each tenant-table
/// reference; in the `.verify` pass, run on the rewritten and re-parsed text, any reference still needing an
/// edit is a refusal. So the text that reaches the server is exactly one the checker accepts as confined.
final class TenantAnalyzer {
    enum Pass { case rewrite, verify }

    let parsed: ParsedSQL
    let policy: TenantPolicy
    let pass: Pass
    private(set) var edits: [TextEdit] = []
    /// CTE names visible at the current point, innermost last.
    var cteScopes: [Set<String>] = []
    private var statement: ParsedStatement?
    private var cachedTokens: StatementTokens?

    init(parsed: ParsedSQL, policy: TenantPolicy, pass: Pass) {
        self.parsed = parsed
        self.policy = policy
        self.pass = pass
    }

    var isShared: Bool {
        if case .shared = policy.isolation { return true }
        return false
    }

    func analyze() throws(GateRefusal) {
        for statement in parsed.statements {
            self.statement = statement
            cachedTokens = nil
            cteScopes = []
            try analyzeStatement(statement)
        }
    }

    // MARK: Refusals and edits

    func refusal(_ message: String, at location: Int?, state: String = GateRefusal.insufficientPrivilege) -> GateRefusal {
        let position = location.map { parsed.characterPosition(ofByte: $0) }
        return GateRefusal(sqlState: state, message: "bulkhead: " + message, position: position)
    }

    func unsupported(_ message: String, at location: Int?) -> GateRefusal {
        refusal(message, at: location, state: GateRefusal.featureNotSupported)
    }

    /// Records a confining edit; in the verify pass an edit still being needed means the rewrite failed.
    func require(_ edit: TextEdit, because reason: String, at location: Int?) throws(GateRefusal) {
        guard pass == .rewrite else {
            throw refusal("the confined form of the statement failed verification (\(reason))", at: nil)
        }
        edits.append(edit)
    }

    /// Records an edit that only keeps the statement valid after confinement (no security weight).
    func cosmetic(_ edit: TextEdit) {
        if pass == .rewrite { edits.append(edit) }
    }

    /// The current statement's tokens, computed when first needed.
    func tokens(at location: Int?) throws(GateRefusal) -> StatementTokens {
        if let cachedTokens { return cachedTokens }
        guard let statement, let tokens = StatementTokens(parsed: parsed, range: statement.range) else {
            throw refusal("the statement's tokens could not be read", at: location)
        }
        cachedTokens = tokens
        return tokens
    }

    var statementStart: Int? {
        guard let statement else { return nil }
        return parsed.significantTokenIndices(in: statement.range).first.map { parsed.tokens[$0].start }
    }

    // MARK: Statements

    static let queryKinds: Set<String> = ["SelectStmt", "InsertStmt", "UpdateStmt", "DeleteStmt"]

    private func analyzeStatement(_ statement: ParsedStatement) throws(GateRefusal) {
        let node = statement.node
        if node.containsUntyped {
            throw unsupported("the statement holds a construct bulkhead cannot inspect", at: statementStart)
        }
        switch node.kind {
        case "SelectStmt", "InsertStmt", "UpdateStmt", "DeleteStmt":
            try query(node)
        case "ExplainStmt":
            guard let inner = node.node("query"), Self.queryKinds.contains(inner.kind) else {
                throw unsupported("EXPLAIN of this statement is not available to tenants", at: statementStart)
            }
            try query(inner)
            if isShared { try checkSharedExplain(node) }
        case "TransactionStmt":
            switch node.string("kind") {
            case "TRANS_STMT_PREPARE", "TRANS_STMT_COMMIT_PREPARED", "TRANS_STMT_ROLLBACK_PREPARED":
                throw unsupported("two-phase commit (PREPARE TRANSACTION) is not available to tenants", at: statementStart)
            default:
                return
            }
        case "VariableSetStmt":
            try checkSet(node)
        case "VariableShowStmt":
            let name = node.string("name").lowercased()
            guard SettingsPolicy.showable.contains(name) else {
                throw refusal("SHOW \(name) is not available to tenants", at: statementStart)
            }
        case "CopyStmt":
            try checkCopy(node)
        case "DeclareCursorStmt":
            if node.integer("options") & StatementClassifier.cursorOptionHold != 0 {
                throw unsupported("cursors WITH HOLD are not available to tenants (they outlive the transaction)",
                                  at: statementStart)
            }
            guard let inner = node.node("query") else {
                throw unsupported("DECLARE without a query", at: statementStart)
            }
            try query(inner)
        case "FetchStmt", "ClosePortalStmt", "UnlistenStmt":
            return
        case "ListenStmt", "NotifyStmt":
            throw unsupported("LISTEN and NOTIFY are not available to tenants (channels are shared by all tenants)",
                              at: statementStart)
        case "PrepareStmt", "ExecuteStmt", "DeallocateStmt":
            throw unsupported("SQL-level PREPARE, EXECUTE and DEALLOCATE are not available to tenants; "
                              + "use the extended query protocol", at: statementStart)
        case "DiscardStmt":
            throw unsupported("DISCARD is not available to tenants", at: statementStart)
        default:
            throw unsupported("\(Self.describe(node.kind)) statements are not available to tenants", at: statementStart)
        }
    }

    /// A readable statement name, e.g. `CreateStmt` -> `CREATE`, for messages.
    static func describe(_ kind: String) -> String {
        let known: [String: String] = [
            "CreateStmt": "CREATE TABLE", "CreateTableAsStmt": "CREATE TABLE AS", "DoStmt": "DO",
            "CreateFunctionStmt": "CREATE FUNCTION", "GrantStmt": "GRANT/REVOKE", "AlterRoleStmt": "ALTER ROLE",
            "GrantRoleStmt": "GRANT/REVOKE role", "TruncateStmt": "TRUNCATE", "MergeStmt": "MERGE",
            "LockStmt": "LOCK", "CallStmt": "CALL", "VacuumStmt": "VACUUM/ANALYZE", "DropStmt": "DROP",
            "AlterTableStmt": "ALTER TABLE", "ViewStmt": "CREATE VIEW", "IndexStmt": "CREATE INDEX",
            "CreateSchemaStmt": "CREATE SCHEMA", "AlterSystemStmt": "ALTER SYSTEM", "LoadStmt": "LOAD",
            "CheckPointStmt": "CHECKPOINT", "CreateRoleStmt": "CREATE ROLE", "RuleStmt": "CREATE RULE",
            "CreateSeqStmt": "CREATE SEQUENCE", "CreateExtensionStmt": "CREATE EXTENSION",
            "CreateTrigStmt": "CREATE TRIGGER", "RefreshMatViewStmt": "REFRESH MATERIALIZED VIEW",
        ]
        return known[kind] ?? kind
    }

    private func checkSet(_ node: SQLNode) throws(GateRefusal) {
        let name = node.string("name").lowercased()
        switch node.string("kind") {
        case "VAR_SET_MULTI":
            guard name == "transaction" || name == "session characteristics" else {
                throw unsupported("SET \(name) is not available to tenants", at: statementStart)
            }
            return
        case "VAR_RESET_ALL":
            throw unsupported("RESET ALL is not available to tenants", at: statementStart)
        default:
            break
        }
        guard SettingsPolicy.settable.contains(name) else {
            throw refusal("setting \(name) is not available to tenants", at: statementStart)
        }
        if node.string("kind") == "VAR_SET_VALUE",
           let problem = SettingsPolicy.problem(setting: name, values: StatementClassifier.settingValues(node, in: parsed)) {
            throw refusal(problem, at: statementStart)
        }
    }

    private func checkCopy(_ node: SQLNode) throws(GateRefusal) {
        if node.bool("is_program") || !node.string("filename").isEmpty {
            throw refusal("COPY to or from a server file or program is not available to tenants", at: statementStart)
        }
        if let inner = node.node("query") {
            return try query(inner)
        }
        guard let relation = node.node("relation") else {
            throw unsupported("COPY without a table or query", at: statementStart)
        }
        if node.bool("is_from") {
            let resolution = try target(relation)
            if case .tenantTable(let name, _) = resolution {
                throw unsupported("COPY FROM into tenant table \(name) cannot be confined; use INSERT", at: relation.location)
            }
            try expression(node["whereClause"])
        } else {
            let resolution = try resolve(relation, allowCTE: false)
            switch resolution {
            case .tenantTable(let name, _):
                throw unsupported("COPY \(name) TO cannot be confined; use COPY (SELECT ...) TO STDOUT",
                                  at: relation.location)
            case .global(let name):
                try qualifyIfNeeded(relation, schema: name.schema)
            case .catalog where Self.isPgClass(relation):
                throw refusal("COPY pg_class TO would show its row estimates; use COPY (SELECT ...) TO STDOUT",
                              at: relation.location)
            case .cte, .own, .catalog:
                break
            }
        }
    }
}

// Classifies statements for read/write routing and connection pinning (issue 5 §1).

/// Decides, from the parse tree, whether each statement can run on a replica and what session state it
/// touches. A statement is read-only only if it provably cannot write: a SELECT without locking clauses,
/// INTO or data-modifying CTEs that calls only functions known to be read-only, a SHOW, or an EXPLAIN that
/// does not ANALYZE a write. Everything else — including transaction control, SET and utility
/// statements, which the pooler handles through the other fields — is reported as not read-only.
public struct StatementClassifier: Sendable {
    private let extraReadOnly: FunctionNameSet

    /// - Parameter extraReadOnlyFunctions: `read_only_functions` from the configuration, e.g. `app.lookup`.
    public init(extraReadOnlyFunctions: Set<QualifiedName> = []) {
        self.extraReadOnly = FunctionNameSet(extraReadOnlyFunctions)
    }

    /// Parses and classifies a text; a text that does not parse is an error (send it to the primary, or let
    /// the server report the syntax error).
    public func classify(_ sql: String) -> Result<SQLClassification, SQLError> {
        SQLParser.parse(sql).map(classify)
    }

    /// Classifies every statement of a parsed text.
    public func classify(_ parsed: ParsedSQL) -> SQLClassification {
        SQLClassification(statements: parsed.statements.map { classify($0, in: parsed) })
    }

    private func classify(_ statement: ParsedStatement, in parsed: ParsedSQL) -> StatementInfo {
        let node = statement.node
        var info = StatementInfo(kind: Self.kind(of: node), isReadOnly: false, range: statement.range)
        info.forcesPrimary = HintDetector.hasPrimaryHint(in: statement.range, of: parsed)
        collectFunctionFacts(node, in: parsed, into: &info)
        switch node.kind {
        case "SelectStmt":
            info.isReadOnly = isReadOnlyQuery(node)
            if let into = node.node("intoClause"), into.node("rel")?.string("relpersistence") == "t" {
                info.createsTemporaryObject = true
            }
        case "VariableShowStmt":
            info.isReadOnly = true
            info.shownSetting = node.string("name").lowercased()
        case "ExplainStmt":
            let analyzes = node.nodes("options").contains { $0.string("defname") == "analyze" }
            info.isReadOnly = node.node("query").map { !analyzes || isReadOnlyQuery($0) } ?? false
        case "CopyStmt":
            let toClient = !node.bool("is_from") && !node.bool("is_program") && node.string("filename").isEmpty
            info.isReadOnly = toClient && (node.node("query").map(isReadOnlyQuery) ?? true)
        case "TransactionStmt":
            info.transaction = Self.transactionControl(node, in: parsed)
        case "VariableSetStmt":
            Self.describeSet(node, in: parsed, into: &info)
        case "DiscardStmt":
            info.discard = Self.discardTarget(node.string("target"))
        case "ListenStmt", "NotifyStmt":
            info.channel = node.string("conditionname")
        case "UnlistenStmt":
            let name = node.string("conditionname")
            info.channel = name.isEmpty ? "*" : name
        case "PrepareStmt", "ExecuteStmt":
            info.preparedStatementName = node.string("name")
        case "DeallocateStmt":
            let name = node.string("name")
            info.preparedStatementName = name.isEmpty ? nil : name
        case "DeclareCursorStmt":
            info.cursor = CursorDeclaration(name: node.string("portalname"),
                                            withHold: node.integer("options") & Self.cursorOptionHold != 0)
        case "CreateStmt", "CreateSeqStmt":
            info.createsTemporaryObject = Self.isTemporary(node.node("relation") ?? node.node("sequence"))
        case "CreateTableAsStmt":
            info.createsTemporaryObject = Self.isTemporary(node.node("into")?.node("rel"))
        case "ViewStmt":
            info.createsTemporaryObject = Self.isTemporary(node.node("view"))
        default:
            break
        }
        return info
    }

    /// PostgreSQL's CURSOR_OPT_HOLD bit in DeclareCursorStmt.options.
    static let cursorOptionHold: Int64 = 0x20

    /// True when a query (any statement node) cannot write.
    func isReadOnlyQuery(_ node: SQLNode) -> Bool {
        guard node.kind == "SelectStmt" else { return false }
        return !node.contains { child in
            switch child.kind {
            case "InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt", "LockingClause", "IntoClause":
                return true
            case "FuncCall":
                guard let name = child.functionName else { return true }
                return !(FunctionNameSet.isBuiltin(name, in: FunctionCatalog.readOnly) || extraReadOnly.contains(name))
            default:
                return child.containsUntypedHere
            }
        }
    }

    private func collectFunctionFacts(_ node: SQLNode, in parsed: ParsedSQL, into info: inout StatementInfo) {
        node.walk { child in
            guard child.kind == "FuncCall", let name = child.functionName,
                  name.schema == nil || name.schema == "pg_catalog" else { return true }
            if FunctionCatalog.sessionAdvisoryLocks.contains(name.name) { info.advisoryLocks.insert(.session) }
            if FunctionCatalog.transactionAdvisoryLocks.contains(name.name) { info.advisoryLocks.insert(.transaction) }
            if name.name == "pg_notify" { info.callsNotify = true }
            if name.name == "set_config" { Self.describeSetConfig(child, in: parsed, into: &info) }
            return true
        }
    }

    /// `set_config` is `SET` by another name: a pooler that missed it would leave the setting behind on the
    /// server connection for the next client. Only a constant `true` for `is_local` keeps it in the transaction.
    private static func describeSetConfig(_ call: SQLNode, in parsed: ParsedSQL, into info: inout StatementInfo) {
        let arguments = call.nodes("args")
        if arguments.count == 3, case .bool(true)? = constant(arguments[2], in: parsed) { return }
        guard let first = arguments.first, case .string(let name)? = constant(first, in: parsed) else {
            info.configuresUnnamedSetting = true
            return
        }
        info.configuredSettings.insert(name.lowercased())
    }

    /// A literal argument, also under a cast (`'TimeZone'::text`). Anything else is no constant, and the
    /// call is then taken at its widest.
    private static func constant(_ node: SQLNode, in parsed: ParsedSQL) -> ConstantValue? {
        if node.kind == "TypeCast", let inner = node.node("arg") { return constant(inner, in: parsed) }
        return parsed.constantValue(of: node)
    }

    static func kind(of node: SQLNode) -> StatementKind {
        switch node.kind {
        case "SelectStmt": return .select
        case "InsertStmt": return .insert
        case "UpdateStmt": return .update
        case "DeleteStmt": return .delete
        case "MergeStmt": return .merge
        case "ExplainStmt": return .explain
        case "CopyStmt": return .copy
        case "TransactionStmt": return .transaction
        case "VariableSetStmt":
            switch node.string("kind") {
            case "VAR_RESET", "VAR_RESET_ALL": return .reset
            case "VAR_SET_MULTI": return .transaction
            default: return .set
            }
        case "VariableShowStmt": return .show
        case "DiscardStmt": return .discard
        case "ListenStmt": return .listen
        case "UnlistenStmt": return .unlisten
        case "NotifyStmt": return .notify
        case "PrepareStmt": return .prepare
        case "ExecuteStmt": return .execute
        case "DeallocateStmt": return .deallocate
        case "DeclareCursorStmt": return .declareCursor
        case "FetchStmt": return .fetch
        case "ClosePortalStmt": return .closeCursor
        case "CallStmt": return .call
        case "DoStmt": return .doBlock
        case "LockStmt": return .lock
        case "TruncateStmt": return .truncate
        case "VacuumStmt": return .vacuum
        case "CheckPointStmt": return .checkpoint
        default:
            let ddlPrefixes = ["Create", "Alter", "Drop", "Grant", "Rename", "Comment", "Define", "View", "Index",
                               "Rule", "Reassign", "Sec", "Composite", "Refresh", "Import", "Reindex", "Cluster"]
            return ddlPrefixes.contains { node.kind.hasPrefix($0) } ? .ddl : .other
        }
    }

    private static func isTemporary(_ relation: SQLNode?) -> Bool {
        guard let relation else { return false }
        return relation.string("relpersistence") == "t" || relation.string("schemaname") == "pg_temp"
    }

    private static func discardTarget(_ target: String) -> DiscardTarget? {
        switch target {
        case "DISCARD_ALL": return .all
        case "DISCARD_PLANS": return .plans
        case "DISCARD_SEQUENCES": return .sequences
        case "DISCARD_TEMP": return .temporary
        default: return nil
        }
    }

    private static func transactionControl(_ node: SQLNode, in parsed: ParsedSQL) -> TransactionControl? {
        switch node.string("kind") {
        case "TRANS_STMT_BEGIN", "TRANS_STMT_START":
            return .begin(readOnly: readOnlyOption(node.nodes("options"), in: parsed))
        case "TRANS_STMT_COMMIT": return .commit
        case "TRANS_STMT_ROLLBACK": return .rollback
        case "TRANS_STMT_SAVEPOINT": return .savepoint(node.string("savepoint_name"))
        case "TRANS_STMT_RELEASE": return .release(node.string("savepoint_name"))
        case "TRANS_STMT_ROLLBACK_TO": return .rollbackTo(node.string("savepoint_name"))
        case "TRANS_STMT_PREPARE": return .prepareTransaction(node.string("gid"))
        case "TRANS_STMT_COMMIT_PREPARED": return .commitPrepared(node.string("gid"))
        case "TRANS_STMT_ROLLBACK_PREPARED": return .rollbackPrepared(node.string("gid"))
        default: return nil
        }
    }

    /// The `transaction_read_only` option of BEGIN / SET TRANSACTION, if given.
    static func readOnlyOption(_ options: [SQLNode], in parsed: ParsedSQL) -> Bool? {
        var result: Bool?
        for option in options where option.string("defname") == "transaction_read_only" {
            guard let argument = option.node("arg"), let value = parsed.constantValue(of: argument) else { continue }
            switch value {
            case .integer(let number): result = number != 0
            case .bool(let flag): result = flag
            default: break
            }
        }
        return result
    }

    private static func describeSet(_ node: SQLNode, in parsed: ParsedSQL, into info: inout StatementInfo) {
        let name = node.string("name").lowercased()
        switch node.string("kind") {
        case "VAR_SET_MULTI":
            let readOnly = readOnlyOption(node.nodes("args"), in: parsed)
            info.transaction = name == "transaction" ? .setTransaction(readOnly: readOnly)
                                                     : .setSessionCharacteristics(readOnly: readOnly)
        case "VAR_RESET":
            info.setting = .reset(name: name)
        case "VAR_RESET_ALL":
            info.setting = .resetAll
        case "VAR_SET_VALUE":
            info.setting = .set(name: name, values: settingValues(node, in: parsed), isLocal: node.bool("is_local"))
        default:
            info.setting = .set(name: name, values: nil, isLocal: node.bool("is_local"))
        }
    }

    /// The values of `SET name TO a, b`, each unquoted.
    static func settingValues(_ node: SQLNode, in parsed: ParsedSQL) -> [String] {
        node.nodes("args").compactMap { argument in
            if argument.kind == "TypeCast", let inner = argument.node("arg") {
                return parsed.constantValue(of: inner)?.text
            }
            return parsed.constantValue(of: argument)?.text
        }
    }
}

extension SQLNode {
    /// True when one of this node's own fields could not be typed (its children are checked as they are walked).
    var containsUntypedHere: Bool {
        fieldList.contains { field in
            switch field.value {
            case .untyped: return true
            case .list(let items): return items.contains { if case .untyped = $0 { return true } else { return false } }
            default: return false
            }
        }
    }
}

// What the pooler and the router need to know about one statement.

/// The facts about one statement that routing (primary or replica) and pooling (may the server connection
/// go back to the pool?) depend on. Produced by `StatementClassifier`, cached by `GateCache`.
public struct StatementInfo: Sendable, Equatable {
    /// The coarse kind of statement.
    public var kind: StatementKind
    /// True only when the statement cannot write: it may then run on a replica.
    public var isReadOnly: Bool
    /// Set for BEGIN/COMMIT/ROLLBACK/savepoints/SET TRANSACTION and two-phase commands.
    public var transaction: TransactionControl?
    /// Set for SET/RESET (session settings the proxy tracks and replays).
    public var setting: SettingCommand?
    /// The setting a SHOW reads (lower case; `"all"` for SHOW ALL).
    public var shownSetting: String?
    /// DISCARD's target.
    public var discard: DiscardTarget?
    /// The channel of LISTEN/UNLISTEN/NOTIFY (`"*"` for UNLISTEN *).
    public var channel: String?
    /// The name of an SQL-level PREPARE/EXECUTE/DEALLOCATE (nil for DEALLOCATE ALL).
    public var preparedStatementName: String?
    /// The cursor a DECLARE creates, with whether it outlives the transaction.
    public var cursor: CursorDeclaration?
    /// True when the statement creates a temporary table, view or sequence (session state).
    public var createsTemporaryObject: Bool
    /// Advisory lock functions the statement calls.
    public var advisoryLocks: AdvisoryLockUse
    /// True when the statement calls `pg_notify`.
    public var callsNotify: Bool
    /// Settings that `set_config(name, value, is_local)` calls may change for the whole session (lower case):
    /// every call whose `is_local` is not the constant `true`.
    public var configuredSettings: Set<String>
    /// A `set_config` call whose setting name is not a constant: any setting may change for the session.
    public var configuresUnnamedSetting: Bool
    /// True when a `/* bulkhead:primary */` comment belongs to the statement.
    public var forcesPrimary: Bool
    /// Byte range of the statement in the text it was classified from.
    public var range: Range<Int>

    /// True when running the statement leaves state in the server session that outlives the transaction,
    /// so the server connection must stay with this client (or be reset) before another client may use it.
    public var createsSessionState: Bool {
        if advisoryLocks.contains(.session) || createsTemporaryObject { return true }
        if cursor?.withHold == true { return true }
        switch kind {
        case .listen, .prepare: return true
        case .set: return setting?.isLocal == false
        default: break
        }
        if case .setSessionCharacteristics? = transaction { return true }
        return false
    }

    public init(kind: StatementKind, isReadOnly: Bool, range: Range<Int>) {
        self.kind = kind
        self.isReadOnly = isReadOnly
        self.transaction = nil
        self.setting = nil
        self.shownSetting = nil
        self.discard = nil
        self.channel = nil
        self.preparedStatementName = nil
        self.cursor = nil
        self.createsTemporaryObject = false
        self.advisoryLocks = []
        self.callsNotify = false
        self.configuredSettings = []
        self.configuresUnnamedSetting = false
        self.forcesPrimary = false
        self.range = range
    }
}

/// The coarse kind of a statement.
public enum StatementKind: String, Sendable, Equatable {
    case select, insert, update, delete, merge, explain, copy, transaction, set, reset, show, discard
    case listen, unlisten, notify, prepare, execute, deallocate, declareCursor, fetch, closeCursor
    case call, doBlock, lock, truncate, vacuum, checkpoint, ddl, other
}

/// A transaction-control statement. `readOnly` is nil when the statement does not say.
public enum TransactionControl: Sendable, Equatable {
    case begin(readOnly: Bool?)
    /// SET TRANSACTION: applies to the current transaction only.
    case setTransaction(readOnly: Bool?)
    /// SET SESSION CHARACTERISTICS AS TRANSACTION: a session default.
    case setSessionCharacteristics(readOnly: Bool?)
    case commit
    case rollback
    case savepoint(String)
    case release(String)
    case rollbackTo(String)
    case prepareTransaction(String)
    case commitPrepared(String)
    case rollbackPrepared(String)
}

/// A SET or RESET. Setting names are lower case (PostgreSQL looks them up case-insensitively).
public enum SettingCommand: Sendable, Equatable {
    /// `values` is nil for `SET name TO DEFAULT` and `SET name FROM CURRENT`; several values for list settings
    /// such as search_path. Values are unquoted; quote them again to replay.
    case set(name: String, values: [String]?, isLocal: Bool)
    case reset(name: String)
    case resetAll

    public var name: String? {
        switch self {
        case .set(let name, _, _), .reset(let name): return name
        case .resetAll: return nil
        }
    }

    public var isLocal: Bool {
        if case .set(_, _, let isLocal) = self { return isLocal }
        return false
    }
}

/// What DISCARD discards.
public enum DiscardTarget: String, Sendable, Equatable {
    case all, plans, sequences, temporary
}

/// A DECLARE CURSOR.
public struct CursorDeclaration: Sendable, Equatable {
    public var name: String
    /// WITH HOLD cursors survive the transaction: session state.
    public var withHold: Bool

    public init(name: String, withHold: Bool) {
        self.name = name
        self.withHold = withHold
    }
}

/// Advisory lock functions a statement calls.
public struct AdvisoryLockUse: OptionSet, Sendable, Equatable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    /// `pg_advisory_lock` and friends: held until unlocked or the session ends.
    public static let session = AdvisoryLockUse(rawValue: 1)
    /// `pg_advisory_xact_lock` and friends: held until the transaction ends.
    public static let transaction = AdvisoryLockUse(rawValue: 2)
}

/// The classification of a whole query text.
public struct SQLClassification: Sendable, Equatable {
    /// One entry per statement, in order.
    public var statements: [StatementInfo]

    /// True when every statement is read-only (and there is at least one).
    public var isReadOnly: Bool { !statements.isEmpty && statements.allSatisfy(\.isReadOnly) }
    /// True when any statement carries the `/* bulkhead:primary */` hint.
    public var forcesPrimary: Bool { statements.contains(where: \.forcesPrimary) }
    /// True when any statement leaves session state behind.
    public var createsSessionState: Bool { statements.contains(where: \.createsSessionState) }

    public init(statements: [StatementInfo]) {
        self.statements = statements
    }
}

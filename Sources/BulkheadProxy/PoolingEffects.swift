// Finds, with PostgreSQL's parser, what a client's SQL does to session state that transaction pooling must respect.

import BulkheadSQL
import BulkheadSession
import BulkheadWire

/// Maps client Query and Parse messages to ``StatementEffects``.
///
/// Parsing costs tens of microseconds for text the cache has not seen, and most pooled traffic is plain
/// DML with literal values that never repeats, so a cheap screen lets through, unparsed, only text that
/// cannot touch session state: one statement, no comments, starting with an ordinary DML or transaction
/// keyword, and naming none of the functions that change session state. Everything else is parsed.
final class PoolingEffects: Sendable {
    private let cache = GateCache(capacity: 10_000)

    /// Statements that may begin a text that is let through unparsed.
    private static let plainStarts: Set<String> = [
        "select", "insert", "update", "delete", "with", "values", "begin", "start", "commit", "rollback", "end",
        "abort", "savepoint", "release", "table", "fetch", "move", "show", "explain", "copy",
    ]
    /// Words that send a plain-looking statement to the parser anyway.
    private static let suspicious = ["advisory", "set_config", "temp", "hold", "listen", "prepare", "deallocate", "discard"]

    func effects(of frame: Frame) -> StatementEffects {
        let sql: String
        switch frame.type {
        case MessageType.Frontend.query:
            guard case .query(let text)? = try? FrontendMessage.decode(frame) else { return .none }
            sql = text
        case MessageType.Frontend.parse:
            guard case .parse(let parse)? = try? FrontendMessage.decode(frame) else { return .none }
            sql = parse.query
        default:
            return .none
        }
        if Self.isPlain(sql) { return .none }
        guard case .success(let classification) = cache.classify(sql) else { return .none }
        return Self.effects(of: classification)
    }

    static func isPlain(_ sql: String) -> Bool {
        let lowered = sql.lowercased()
        if lowered.contains("/*") || lowered.contains("--") { return false }
        if let semicolon = lowered.firstIndex(of: ";"), !lowered[lowered.index(after: semicolon)...].allSatisfy(\.isWhitespace) { return false }
        let first = lowered.drop { $0.isWhitespace || $0 == "(" }.prefix { $0.isLetter }
        guard plainStarts.contains(String(first)) else { return false }
        return !suspicious.contains { lowered.contains($0) }
    }

    static func effects(of classification: SQLClassification) -> StatementEffects {
        var effects = StatementEffects()
        for statement in classification.statements {
            switch statement.setting {
            case .set(let name, _, let isLocal)?: if !isLocal { effects.settings.insert(name) }
            case .reset(let name)?: effects.settings.insert(name)
            case .resetAll?: effects.resetsAll = true
            case nil: break
            }
            if statement.discard == .all {
                effects.resetsAll = true
                effects.deallocatesAll = true
            }
            if statement.kind == .deallocate, statement.preparedStatementName == nil { effects.deallocatesAll = true }
            if effects.sessionState == nil { effects.sessionState = sessionState(of: statement) }
        }
        return effects
    }

    /// Why the statement ties the client to its server connection, if it does (settings are tracked instead).
    private static func sessionState(of statement: StatementInfo) -> String? {
        if statement.advisoryLocks.contains(.session) { return "a session advisory lock" }
        if statement.createsTemporaryObject { return "a temporary table" }
        if statement.cursor?.withHold == true { return "a WITH HOLD cursor" }
        switch statement.kind {
        case .listen: return "LISTEN"
        case .prepare: return "a PREPAREd statement"
        default: break
        }
        if case .setSessionCharacteristics? = statement.transaction { return "SET SESSION CHARACTERISTICS" }
        return nil
    }
}

// Turns the SQL classifier's view of a text into the facts read/write routing works from.

import BulkheadRouting
import BulkheadSQL
import BulkheadSession

/// Maps an `SQLClassification` to ``StatementFacts`` and the proxy's own `bulkhead.route` setting.
enum RouteFacts {
    static func describe(_ classification: SQLClassification, into effects: inout StatementEffects) {
        var facts = StatementFacts(isReadOnly: !classification.statements.isEmpty, forcesPrimary: classification.forcesPrimary)
        for statement in classification.statements {
            if !statement.isReadOnly, !isNeutral(statement) { facts.isReadOnly = false }
            if facts.transaction == nil, let step = step(of: statement.transaction) { facts.transaction = step }
            if statement.kind == .copy, !statement.isReadOnly { effects.mayCopyIn = true }
        }
        effects.route = facts
        if classification.statements.count == 1, let statement = classification.statements.first,
           statement.setting?.name == RouteOverride.settingName {
            switch statement.setting {
            case .set(_, let values?, false)?:
                if values.count == 1, let choice = RouteOverride(settingValue: values[0]) {
                    effects.routeOverride = choice
                } else {
                    effects.refusal = StartupCheck.Refusal(
                        sqlState: "22023",
                        message: "invalid value for parameter \"bulkhead.route\": use primary, replica or auto")
                }
            case .reset?:
                effects.routeOverride = .auto
                effects.routeOverrideTag = "RESET"
            case .set(_, nil, false)?:
                effects.routeOverride = .auto
            case .set(_, _, true)?, .resetAll?, nil:
                break
            }
            if effects.routeOverride != nil { effects.settings.remove(RouteOverride.settingName) }
        }
    }

    /// Reads `SET [SESSION] bulkhead.route {= | TO} primary|replica|auto [;]`, which does not parse because
    /// `primary` is reserved; the words are compared whole, so nothing else can pass for it.
    static func unquotedOverride(_ sql: String) -> RouteOverride? {
        var text = sql.lowercased()
        while let last = text.last, last == ";" || last.isWhitespace { text.removeLast() }
        var words = text.replacingOccurrences(of: "=", with: " = ").split(whereSeparator: \.isWhitespace).map(String.init)
        guard words.first == "set" else { return nil }
        words.removeFirst()
        if words.first == "session" { words.removeFirst() }
        guard words.count == 3, words[0] == RouteOverride.settingName, words[1] == "=" || words[1] == "to" else { return nil }
        return RouteOverride(settingValue: words[2])
    }

    /// Statements that change no data and run wherever the transaction runs: transaction control, settings,
    /// and cursor handling. A BEGIN that may write, and two-phase commits of earlier transactions, are not among
    /// them: they need the primary.
    private static func isNeutral(_ statement: StatementInfo) -> Bool {
        switch statement.transaction {
        case .commitPrepared?, .rollbackPrepared?, .prepareTransaction?: return false
        // A transaction that does not say READ ONLY may write: it is a write, counted and tracked as one.
        case .begin(let readOnly)?: return readOnly == true
        default: break
        }
        switch statement.kind {
        case .transaction, .set, .reset, .show, .fetch, .closeCursor: return true
        default: return false
        }
    }

    private static func step(of control: TransactionControl?) -> TransactionStep? {
        switch control {
        case .begin(let readOnly)?: return .begin(readOnly: readOnly)
        case .setTransaction(let readOnly)?: return .setTransaction(readOnly: readOnly)
        case .setSessionCharacteristics(let readOnly)?: return .setSessionDefault(readOnly: readOnly)
        case .commit?: return .commit
        case .rollback?, .prepareTransaction?: return .rollback
        case .savepoint?, .release?, .rollbackTo?, .commitPrepared?, .rollbackPrepared?, nil: return nil
        }
    }
}

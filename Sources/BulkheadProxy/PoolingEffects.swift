// Finds, with PostgreSQL's parser, what a client's SQL does to session state that transaction pooling must respect.

import BulkheadSQL
import BulkheadSession
import BulkheadWire

/// Maps client Query and Parse messages to ``StatementEffects``.
///
/// Parsing costs tens of microseconds for text the cache has not seen, and most pooled traffic is plain
/// DML with literal values that never repeats, so a cheap screen lets through, unparsed, only text that
/// cannot touch session state: one statement, no comments, no `&` (a `U&` escape can spell any name),
/// starting with an ordinary DML or transaction keyword, and naming none of the functions that change
/// session state. Everything else is parsed.
final class PoolingEffects: Sendable {
    private let cache: GateCache

    init(cache: GateCache) {
        self.cache = cache
    }

    /// Statements that may begin a text that is let through unparsed.
    private static let plainStarts: Set<String> = [
        "select", "insert", "update", "delete", "with", "values", "begin", "start", "commit", "rollback", "end",
        "abort", "savepoint", "release", "table", "fetch", "move", "show", "explain", "copy",
    ]
    /// Words that send a plain-looking statement to the parser anyway.
    private static let suspicious = ["advisory", "set_config", "temp", "hold", "listen", "prepare", "deallocate", "discard"]

    /// - Parameter routing: the client's statements are routed, so every text is classified (from the cache
    ///   when it repeats) for whether it may run on a replica.
    func effects(of frame: Frame, routing: Bool = false) -> StatementEffects {
        // The common case, plain text not routed, is settled on the frame's bytes, before any String is made.
        if !routing, frame.type == MessageType.Frontend.query, Self.isPlainQuery(frame) { return .none }
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
        let plain = Self.isPlain(sql)
        if !routing, plain { return .none }
        guard case .success(let classification) = cache.classify(sql) else {
            // `primary` is a reserved word, so PostgreSQL's grammar rejects `SET bulkhead.route = primary` unquoted.
            var effects = StatementEffects.none
            if routing, let choice = RouteFacts.unquotedOverride(sql) { effects.routeOverride = choice }
            return effects
        }
        var effects = plain ? StatementEffects.none : Self.effects(of: classification)
        if routing { RouteFacts.describe(classification, into: &effects) }
        return effects
    }

    /// Byte-level on purpose: this runs for every pooled statement, and Foundation's substring search is slow.
    static func isPlain(_ sql: String) -> Bool {
        var text = sql
        return text.withUTF8 { isPlain(bytes: $0) }
    }

    /// ``isPlain(_:)`` for a Query frame's text, read in place (the text ends at the body's NUL).
    static func isPlainQuery(_ frame: Frame) -> Bool {
        frame.raw.withUnsafeReadableBytes { raw in
            guard raw.count > Frame.headerLength, let base = raw.baseAddress else { return false }
            let body = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self) + Frame.headerLength,
                                           count: raw.count - Frame.headerLength)
            guard let nul = body.firstIndex(of: 0) else { return false }
            return isPlain(bytes: UnsafeBufferPointer(rebasing: body[..<nul]))
        }
    }

    /// The suspicious words by their first (lower-case) byte: the only ones to try where that letter stands.
    private static let suspiciousByFirst: [[[UInt8]]] = {
        var table = [[[UInt8]]](repeating: [], count: 256)
        for word in suspicious { if let first = word.utf8.first { table[Int(first)].append(Array(word.utf8)) } }
        return table
    }()
    private static let plainStartBytes = plainStarts.map { Array($0.utf8) }
    /// Which lower-case bytes begin a suspicious word: the only places a match is tried.
    private static let suspiciousFirst: [Bool] = {
        var table = [Bool](repeating: false, count: 256)
        for word in suspicious { if let first = word.utf8.first { table[Int(first)] = true } }
        return table
    }()

    static func isPlain(bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        let count = bytes.count
        var index = 0
        // One pass: comments, a second statement and suspicious words all send the text to the parser.
        while index < count {
            let byte = bytes[index]
            if (byte == UInt8(ascii: "/") || byte == UInt8(ascii: "-")), index + 1 < count {
                let next = bytes[index + 1]
                if (byte == UInt8(ascii: "/") && next == UInt8(ascii: "*")) || (byte == UInt8(ascii: "-") && next == UInt8(ascii: "-")) {
                    return false
                }
            }
            // `U&"set\005fconfig"` spells a name without its letters in a row: the screen cannot see it.
            if byte == UInt8(ascii: "&") { return false }
            if byte == UInt8(ascii: ";") {
                var rest = index + 1
                while rest < count, isSpace(bytes[rest]) { rest += 1 }
                if rest < count { return false }
            }
            if let letter = lowerLetter(byte), suspiciousFirst[Int(letter)],
               suspiciousByFirst[Int(letter)].contains(where: { matches(bytes, at: index, $0) }) {
                return false
            }
            index += 1
        }
        var start = 0
        while start < count, isSpace(bytes[start]) || bytes[start] == UInt8(ascii: "(") { start += 1 }
        var end = start
        while end < count, lowerLetter(bytes[end]) != nil { end += 1 }
        return plainStartBytes.contains { $0.count == end - start && matches(bytes, at: start, $0) }
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    private static func lowerLetter(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return byte
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return byte | 0x20
        default: return nil
        }
    }

    /// Whether the lower-case ASCII `word` appears at `index`, ignoring case.
    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int, _ word: [UInt8]) -> Bool {
        guard index + word.count <= bytes.count else { return false }
        for offset in 0..<word.count where (lowerLetter(bytes[index + offset]) ?? bytes[index + offset]) != word[offset] {
            return false
        }
        return true
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
            // set_config(name, value, false) is a SET: read back like one.
            effects.settings.formUnion(statement.configuredSettings)
            if effects.sessionState == nil { effects.sessionState = sessionState(of: statement) }
            if case .setSessionCharacteristics? = statement.transaction { effects.pinsForGood = true }
            if statement.configuresUnnamedSetting { effects.pinsForGood = true }
            if mayEndSessionState(statement) { effects.mayEndSessionState = true }
        }
        return effects
    }

    /// Whether the statement may end session state that pins a connection: its own kind of release, a DROP
    /// of what may be a temporary table, or the end of a transaction that may have created something.
    private static func mayEndSessionState(_ statement: StatementInfo) -> Bool {
        switch statement.kind {
        case .unlisten, .discard, .closeCursor, .deallocate, .ddl: return true
        default: break
        }
        switch statement.transaction {
        case .commit?, .rollback?, .rollbackTo?, .prepareTransaction?: return true
        default: return false
        }
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
        if statement.configuresUnnamedSetting { return "set_config of a setting named by an expression" }
        return nil
    }
}

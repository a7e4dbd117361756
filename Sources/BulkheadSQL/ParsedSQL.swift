// The result of parsing one query text: its statements, their byte ranges and the scanner's tokens.

import Foundation

/// A parsed query text, which may hold several statements (a simple-query message can).
public struct ParsedSQL: Sendable {
    /// The text as received.
    public let text: String
    /// The text's UTF-8 bytes; every location in the tree and every token is a byte offset into these.
    public let bytes: [UInt8]
    /// The statements in order. Empty for a text with no statement (only `;`, whitespace or comments).
    public let statements: [ParsedStatement]
    /// Every token of the whole text, comments included, from PostgreSQL's scanner.
    public let tokens: [SQLToken]
    /// Whether anything has read a literal's value, or source text that holds a literal, since parsing: a
    /// verdict reached without either holds for every text of the same shape (`StatementShape`).
    let sourceReads = SourceReads()

    /// The 1-based character position (what PostgreSQL's ErrorResponse `P` field holds) of a byte offset.
    public func characterPosition(ofByte offset: Int) -> Int {
        let clamped = max(0, min(offset, bytes.count))
        var characters = 0
        for index in 0..<clamped where bytes[index] & 0xC0 != 0x80 {
            characters += 1
        }
        return characters + 1
    }

    /// The source text of a byte range (clamped to the text).
    public func text(of range: Range<Int>) -> String {
        // Identifiers, keywords and comments are part of a text's shape; only a literal's bytes are not.
        if overlapsLiteral(range) { sourceReads.note() }
        let lower = max(0, min(range.lowerBound, bytes.count))
        let upper = max(lower, min(range.upperBound, bytes.count))
        return String(decoding: bytes[lower..<upper], as: UTF8.self)
    }

    /// The indices into `tokens` of the tokens lying inside a byte range, comments excluded.
    func significantTokenIndices(in range: Range<Int>) -> [Int] {
        var result: [Int] = []
        var low = 0, high = tokens.count
        while low < high {
            let mid = (low + high) / 2
            if tokens[mid].start < range.lowerBound { low = mid + 1 } else { high = mid }
        }
        var index = low
        while index < tokens.count, tokens[index].start < range.upperBound {
            if !tokens[index].isComment && tokens[index].end <= range.upperBound { result.append(index) }
            index += 1
        }
        return result
    }

    /// True when a literal token has a byte inside `range`.
    func overlapsLiteral(_ range: Range<Int>) -> Bool {
        var low = 0, high = tokens.count
        while low < high {
            let mid = (low + high) / 2
            if tokens[mid].end <= range.lowerBound { low = mid + 1 } else { high = mid }
        }
        var index = low
        while index < tokens.count, tokens[index].start < range.upperBound {
            if StatementShape.isLiteral(tokens[index].kind) { return true }
            index += 1
        }
        return false
    }

    /// The index of the token that starts exactly at a byte offset, if any.
    func tokenIndex(startingAt offset: Int) -> Int? {
        var low = 0, high = tokens.count
        while low < high {
            let mid = (low + high) / 2
            if tokens[mid].start < offset { low = mid + 1 } else { high = mid }
        }
        return low < tokens.count && tokens[low].start == offset ? low : nil
    }

    /// The lower-cased text of a token (keywords and unquoted identifiers compare this way).
    func lowercasedText(of token: SQLToken) -> String {
        text(of: token.start..<token.end).lowercased()
    }
}

/// One statement of a `ParsedSQL`.
public struct ParsedStatement: Sendable {
    /// The statement's root node (e.g. `SelectStmt`, `TransactionStmt`).
    public let node: SQLNode
    /// Byte range of the statement in `ParsedSQL.bytes`, as PostgreSQL reports it (stmt_location, stmt_len):
    /// leading whitespace and comments belong to the statement, the terminating `;` does not.
    public let range: Range<Int>
    /// The statement's own text.
    public let sql: String
}

/// Records that a literal's value, or source text holding a literal, was read. Shared by every copy of a
/// `ParsedSQL`, so a read anywhere in an analysis is seen by whoever parsed the text.
final class SourceReads: @unchecked Sendable {
    private let lock = NSLock()
    private var happened = false

    func note() {
        lock.withLock { happened = true }
    }

    var any: Bool {
        lock.withLock { happened }
    }
}

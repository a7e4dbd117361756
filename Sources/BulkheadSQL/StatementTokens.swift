// A statement's significant tokens with their parenthesis levels, for locating clauses to splice at.

/// The non-comment tokens of one statement. `levels[i]` is the parenthesis depth of token `i`, where an
/// opening and its closing parenthesis share the level outside them; so "the clauses of this DML" are the
/// tokens at the DML keyword's level, up to the first token at a lower level.
struct StatementTokens {
    let parsed: ParsedSQL
    private let indices: [Int]
    private let levels: [Int]

    init?(parsed: ParsedSQL, range: Range<Int>) {
        self.parsed = parsed
        let indices = parsed.significantTokenIndices(in: range)
        var levels: [Int] = []
        levels.reserveCapacity(indices.count)
        var depth = 0
        for index in indices {
            switch parsed.tokens[index].kind {
            case SQLToken.openParen:
                levels.append(depth)
                depth += 1
            case SQLToken.closeParen:
                depth -= 1
                guard depth >= 0 else { return nil }
                levels.append(depth)
            default:
                levels.append(depth)
            }
        }
        self.indices = indices
        self.levels = levels
    }

    var count: Int { indices.count }

    func token(_ position: Int) -> SQLToken { parsed.tokens[indices[position]] }

    func level(_ position: Int) -> Int { levels[position] }

    /// The position of the token that starts at a byte offset.
    func position(startingAt offset: Int) -> Int? {
        var low = 0, high = indices.count
        while low < high {
            let mid = (low + high) / 2
            if parsed.tokens[indices[mid]].start < offset { low = mid + 1 } else { high = mid }
        }
        return low < indices.count && parsed.tokens[indices[low]].start == offset ? low : nil
    }

    /// True when the token is the given keyword (lower case). Quoted identifiers never match.
    func isKeyword(_ position: Int, _ word: String) -> Bool {
        guard position >= 0, position < indices.count else { return false }
        let token = self.token(position)
        return token.isKeyword && token.end - token.start == word.utf8.count && parsed.lowercasedText(of: token) == word
    }

    func isKind(_ position: Int, _ kind: Int32) -> Bool {
        position >= 0 && position < indices.count && token(position).kind == kind
    }

    /// The position of the parenthesis closing the one opened at `open`.
    func matchingClose(_ open: Int) -> Int? {
        guard isKind(open, SQLToken.openParen) else { return nil }
        var position = open + 1
        while position < indices.count {
            if levels[position] == levels[open] && isKind(position, SQLToken.closeParen) { return position }
            if levels[position] < levels[open] { return nil }
            position += 1
        }
        return nil
    }

    /// The positions belonging to the clause-level construct starting at `start`: every following token at the
    /// same level or deeper, up to a lower level or a `;`.
    func extent(from start: Int) -> Range<Int> {
        let base = levels[start]
        var position = start
        while position < indices.count {
            if levels[position] < base { break }
            if levels[position] == base && isKind(position, SQLToken.semicolon) { break }
            position += 1
        }
        return start..<position
    }

    /// The first position in `range` holding `word` at `level`.
    func firstKeyword(_ word: String, in range: Range<Int>, level: Int) -> Int? {
        range.first { levels[$0] == level && isKeyword($0, word) }
    }

    /// The end of a (possibly `U&"..." UESCAPE '...'`) identifier token at `position`: the last position it uses.
    func identifierEnd(_ position: Int) -> Int {
        if token(position).kind == SQLToken.unicodeIdentifier, isKeyword(position + 1, "uescape"), position + 2 < count {
            return position + 2
        }
        return position
    }

    /// Byte range covering positions `first...last`.
    func bytes(_ first: Int, _ last: Int) -> Range<Int> {
        token(first).start..<token(last).end
    }
}

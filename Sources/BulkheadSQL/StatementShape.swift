// A query text's shape: its scanner tokens with every literal's value left out, so texts that differ only in
// their constants can share one gate verdict.

/// The token sequence of a text as PostgreSQL's scanner sees it, with each literal reduced to its token kind.
///
/// PostgreSQL's grammar sees token kinds, plus the text of identifiers, keywords and operators; a literal's
/// value only fills in the `A_Const` node at its location. So two texts of one shape parse to trees that
/// differ only in those values, provided each literal token is an `A_Const` in the tree
/// (`literalsAreConstants`): some grammar rules put a literal elsewhere (`COPY ... FROM 'file'`, `FETCH 5`,
/// `UESCAPE '!'`, the `-` folded into `-5`), and such texts get no shape verdict. A verdict that read no literal's
/// value and no source text holding one (`ParsedSQL.sourceReads`) therefore holds for the whole shape.
///
/// The key is length-prefixed token by token, so different token sequences never produce the same bytes.
struct StatementShape: Hashable, Sendable {
    let key: [UInt8]

    /// Token kinds of literals (`pg_query.proto`): FCONST, SCONST, USCONST, BCONST, XCONST and ICONST.
    static func isLiteral(_ kind: Int32) -> Bool {
        (260...264).contains(kind) || kind == SQLToken.integerConstant
    }

    /// The shape of a text with the tokens it was made from; nil when the scanner refuses the text or it holds
    /// a NUL byte (the C scanner would see only a prefix of it).
    static func scan(_ sql: String) -> (shape: StatementShape, tokens: [SQLToken])? {
        var text = sql
        let tokens: [SQLToken]? = text.withUTF8 { bytes in
            guard !bytes.contains(0) else { return nil }
            return try? SQLParser.scan(sql)
        }
        guard let tokens, let shape = text.withUTF8({ StatementShape(tokens: tokens, bytes: $0) }) else { return nil }
        return (shape, tokens)
    }

    /// The shape of tokens scanned from `bytes`; nil when a token lies outside the bytes.
    init?(tokens: [SQLToken], bytes: UnsafeBufferPointer<UInt8>) {
        var key: [UInt8] = []
        key.reserveCapacity(bytes.count + 4 * tokens.count)
        for token in tokens {
            guard token.start >= 0, token.start <= token.end, token.end <= bytes.count,
                  let kind = UInt16(exactly: token.kind) else { return nil }
            key.append(UInt8(kind >> 8))
            key.append(UInt8(kind & 0xFF))
            if Self.isLiteral(token.kind) { continue }
            let length = token.end - token.start
            guard let length32 = UInt32(exactly: length) else { return nil }
            withUnsafeBytes(of: length32.bigEndian) { key.append(contentsOf: $0) }
            key.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[token.start..<token.end]))
        }
        self.key = key
    }

    static func == (left: StatementShape, right: StatementShape) -> Bool {
        left.key == right.key
    }

    /// One pass over the key's bytes (an array's own hash feeds the hasher byte by byte).
    func hash(into hasher: inout Hasher) {
        key.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    /// True when every literal token of a parsed text starts where an `A_Const` node of its tree does.
    static func literalsAreConstants(_ parsed: ParsedSQL) -> Bool {
        let literals = parsed.tokens.filter { isLiteral($0.kind) }
        guard !literals.isEmpty else { return true }
        var constants = Set<Int>()
        for statement in parsed.statements {
            statement.node.walk { node in
                if node.kind == "A_Const", let location = node.location { constants.insert(location) }
                return true
            }
        }
        return literals.allSatisfy { constants.contains($0.start) }
    }
}

/// A confining splice placed by token rather than by byte, so that it lands in the same place in every text
/// of one shape: each end of its range is the start or the end of a token, or an end of the text.
struct AnchoredEdit: Sendable {
    enum Anchor: Sendable, Equatable {
        case textStart
        case start(token: Int)
        case end(token: Int)
        case textEnd
    }

    let lower: Anchor
    let upper: Anchor
    let replacement: String

    /// The edits of a text placed by token, in the same order; nil when one cannot be: an end that is not a
    /// token boundary, or a range that covers part of a literal (whose value differs in other texts).
    static func anchor(_ edits: [TextEdit], in parsed: ParsedSQL) -> [AnchoredEdit]? {
        var anchored: [AnchoredEdit] = []
        anchored.reserveCapacity(edits.count)
        for edit in edits {
            guard edit.range.isEmpty || !parsed.overlapsLiteral(edit.range),
                  let lower = anchor(edit.range.lowerBound, in: parsed),
                  let upper = anchor(edit.range.upperBound, in: parsed) else { return nil }
            anchored.append(AnchoredEdit(lower: lower, upper: upper, replacement: edit.replacement))
        }
        return anchored
    }

    private static func anchor(_ offset: Int, in parsed: ParsedSQL) -> Anchor? {
        if offset == 0 { return .textStart }
        if offset == parsed.bytes.count { return .textEnd }
        if let index = parsed.tokenIndex(startingAt: offset) { return .start(token: index) }
        if let index = parsed.tokens.firstIndex(where: { $0.end == offset }) { return .end(token: index) }
        return nil
    }

    /// The splices for another text of the same shape, from its tokens; nil if an anchor names no token.
    static func place(_ edits: [AnchoredEdit], tokens: [SQLToken], byteCount: Int) -> [TextEdit]? {
        var placed: [TextEdit] = []
        placed.reserveCapacity(edits.count)
        for edit in edits {
            guard let lower = offset(edit.lower, tokens: tokens, byteCount: byteCount),
                  let upper = offset(edit.upper, tokens: tokens, byteCount: byteCount), lower <= upper else { return nil }
            placed.append(TextEdit(range: lower..<upper, replacement: edit.replacement))
        }
        return placed
    }

    private static func offset(_ anchor: Anchor, tokens: [SQLToken], byteCount: Int) -> Int? {
        switch anchor {
        case .textStart: return 0
        case .textEnd: return byteCount
        case .start(let index): return tokens.indices.contains(index) ? tokens[index].start : nil
        case .end(let index): return tokens.indices.contains(index) ? tokens[index].end : nil
        }
    }
}

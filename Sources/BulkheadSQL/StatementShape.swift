// A query text's shape: its scanner tokens with every literal's value left out, so texts that differ only in
// their constants can share one gate verdict.

/// The token sequence of a text as PostgreSQL's scanner sees it, with each literal reduced to its token kind.
///
/// PostgreSQL's grammar sees token kinds, plus the text of identifiers, keywords and operators; a literal's
/// value only fills in the `A_Const` node at its location. So two texts of one shape parse to trees that
/// differ only in those values, provided each literal token is an `A_Const` in the tree
/// (`literalsAreConstants`): some grammar rules put a literal elsewhere (`COPY ... FROM 'file'`, `FETCH 5`,
/// `UESCAPE '!'`, the `-` folded into `-5`), and such texts get no shape verdict. A verdict that read no literal
/// value and no source text (`ParsedSQL.sourceReads`) therefore holds for the whole shape.
///
/// The key is length-prefixed token by token, so different token sequences never produce the same bytes.
struct StatementShape: Hashable, Sendable {
    let key: [UInt8]

    /// Token kinds of literals (`pg_query.proto`): FCONST, SCONST, USCONST, BCONST, XCONST and ICONST.
    static func isLiteral(_ kind: Int32) -> Bool {
        (260...264).contains(kind) || kind == SQLToken.integerConstant
    }

    /// The shape of a text, scanning it; nil when the scanner refuses it or the text holds a NUL byte (the
    /// C scanner would see only a prefix of it).
    static func of(_ sql: String) -> StatementShape? {
        var text = sql
        let tokens: [SQLToken]? = text.withUTF8 { bytes in
            guard !bytes.contains(0) else { return nil }
            return try? SQLParser.scan(sql)
        }
        guard let tokens else { return nil }
        return text.withUTF8 { StatementShape(tokens: tokens, bytes: $0) }
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

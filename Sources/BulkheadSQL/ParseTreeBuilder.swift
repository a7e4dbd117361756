// Turns libpg_query's parse result (the tree read by ParseTreeReader) into the text's statements.

/// Cuts the text into statements using each RawStmt's location and length.
enum ParseTreeBuilder {
    static func statements(from root: SQLValue, bytes: [UInt8]) throws -> [ParsedStatement] {
        guard case .node(let result) = root, result.kind == "ParseResult" else {
            throw SQLError(message: "unreadable parse tree", position: nil)
        }
        var statements: [ParsedStatement] = []
        for item in result.listValues("stmts") {
            guard case .node(let raw) = item, raw.kind == "RawStmt", let node = raw.node("stmt") else {
                throw SQLError(message: "unreadable parse tree", position: nil)
            }
            let location = Int(clamping: raw.integer("stmt_location"))
            let length = Int(clamping: raw.integer("stmt_len"))
            guard location >= 0, location <= bytes.count, length >= 0 else {
                throw SQLError(message: "statement outside the text", position: nil)
            }
            // A length of 0 means "to the end of the text" (the last statement).
            let end = length == 0 ? bytes.count : location + length
            guard end <= bytes.count else { throw SQLError(message: "statement outside the text", position: nil) }
            statements.append(ParsedStatement(node: node, range: location..<end,
                                              sql: String(decoding: bytes[location..<end], as: UTF8.self)))
        }
        return statements
    }
}

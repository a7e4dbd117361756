// Reads the value of a literal (A_Const) node, correcting libpg_query's JSON output where it is lossy.

/// The value of an SQL literal.
public enum ConstantValue: Sendable, Equatable {
    case integer(Int64)
    /// A numeric literal outside the 32-bit range or with a fraction, in its source spelling.
    case number(String)
    case string(String)
    case bool(Bool)
    case bits(String)
    case null

    /// The value as PostgreSQL would print it in a GUC (unquoted).
    public var text: String? {
        switch self {
        case .integer(let value): return String(value)
        case .number(let text), .string(let text), .bits(let text): return text
        case .bool(let value): return value ? "on" : "off"
        case .null: return nil
        }
    }
}

extension ParsedSQL {
    /// The value of an `A_Const` node.
    ///
    /// libpg_query 15-4.0.0's JSON writer drops negative integers (`-5` comes out like `0`), so an integer
    /// literal without a positive value is read back from the scanner's tokens at the node's location.
    /// Security checks compare tenant ids through this, never through the raw JSON.
    public func constantValue(of node: SQLNode) -> ConstantValue? {
        guard node.kind == "A_Const" else { return nil }
        sourceReads.note()
        if node.bool("isnull") { return .null }
        if let integer = node.node("ival") {
            let value = integer.integer("ival")
            if value > 0 { return .integer(value) }
            return .integer(integerFromTokens(at: node.location) ?? 0)
        }
        if let float = node.node("fval") { return .number(float.string("fval")) }
        if let string = node.node("sval") { return .string(string.string("sval")) }
        if let boolean = node.node("boolval") { return .bool(boolean.bool("boolval")) }
        if let bits = node.node("bsval") { return .bits(bits.string("bsval")) }
        return nil
    }

    private func integerFromTokens(at location: Int?) -> Int64? {
        guard let location, let index = tokenIndex(startingAt: location) else { return nil }
        var position = index
        var negative = false
        if tokens[position].kind == SQLToken.minus {
            negative = true
            position += 1
            while position < tokens.count, tokens[position].isComment { position += 1 }
        }
        guard position < tokens.count, tokens[position].kind == SQLToken.integerConstant else { return nil }
        let digits = text(of: tokens[position].start..<tokens[position].end).replacingAll("_", with: "")
        guard let magnitude = Int64(digits) else { return nil }
        return negative ? -magnitude : magnitude
    }
}

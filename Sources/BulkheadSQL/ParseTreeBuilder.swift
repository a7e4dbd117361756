// Turns libpg_query's JSON parse tree into typed SQLNode values.

/// Builds the generic tree. A JSON object is a node either because it is tagged with its kind
/// (`{"SelectStmt": {...}}`) or because `NodeFieldTypes` knows its field's declared type; anything else
/// becomes `SQLValue.untyped`, which the gate refuses.
enum ParseTreeBuilder {
    static func statements(from json: JSONValue, bytes: [UInt8]) throws -> [ParsedStatement] {
        guard case .object(let root) = json else { throw SQLError(message: "unreadable parse tree", position: nil) }
        guard case .array(let raw)? = root["stmts"] else { return [] }
        var result: [ParsedStatement] = []
        for item in raw {
            guard case .object(let rawStmt) = item, let stmtValue = rawStmt["stmt"],
                  case .node(let node) = value(stmtValue, parentKind: "RawStmt", field: "stmt") else {
                throw SQLError(message: "unreadable parse tree", position: nil)
            }
            let location = integer(rawStmt["stmt_location"])
            let length = integer(rawStmt["stmt_len"])
            guard location >= 0, location <= bytes.count, length >= 0 else {
                throw SQLError(message: "statement outside the text", position: nil)
            }
            // A length of 0 means "to the end of the text" (the last statement).
            let end = length == 0 ? bytes.count : location + length
            guard end <= bytes.count else { throw SQLError(message: "statement outside the text", position: nil) }
            let range = location..<end
            result.append(ParsedStatement(node: node, range: range,
                                          sql: String(decoding: bytes[range], as: UTF8.self)))
        }
        return result
    }

    private static func integer(_ value: JSONValue?) -> Int {
        if case .integer(let number)? = value, let result = Int(exactly: number) { return result }
        return 0
    }

    static func value(_ json: JSONValue, parentKind: String, field: String) -> SQLValue {
        switch json {
        case .object(let object):
            if object.count == 1, let (key, inner) = object.first, isKindName(key), case .object(let fields) = inner {
                return .node(SQLNode(kind: key, fields: convert(fields, kind: key)))
            }
            if let kind = NodeFieldTypes.table[parentKind]?[field] {
                return .node(SQLNode(kind: kind, fields: convert(object, kind: kind)))
            }
            if object.isEmpty { return .null }
            return .untyped
        case .array(let items):
            return .list(items.map { value($0, parentKind: parentKind, field: field) })
        case .string(let text): return .string(text)
        case .integer(let number): return .integer(number)
        case .double(let number): return .double(number)
        case .bool(let flag): return .bool(flag)
        case .null: return .untyped
        }
    }

    private static func convert(_ object: [String: JSONValue], kind: String) -> [String: SQLValue] {
        var fields: [String: SQLValue] = [:]
        fields.reserveCapacity(object.count)
        for (name, json) in object {
            fields[name] = value(json, parentKind: kind, field: name)
        }
        return fields
    }

    /// Node kinds start with an upper-case letter; libpg_query's field names never do.
    private static func isKindName(_ key: String) -> Bool {
        guard let first = key.utf8.first else { return false }
        return first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z")
    }
}

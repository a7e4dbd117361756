// A plain Swift copy of a parsed TOML document, so validation never touches TOMLKit's C++ nodes.

import TOMLKit

/// One TOML value, detached from the parser.
indirect enum ConfigValue: Sendable, Hashable {
    case string(String)
    case integer(Int)
    case float(Double)
    case boolean(Bool)
    case array([ConfigValue])
    case table([String: ConfigValue])
    /// Dates and times, which no Bulkhead key accepts; only their kind is kept for the error message.
    case other(kind: String)

    /// The kind with an article, to read naturally in "must be X, got Y".
    var kindDescription: String {
        switch self {
        case .string: return "a string"
        case .integer: return "an integer"
        case .float: return "a float"
        case .boolean: return "a boolean"
        case .array: return "an array"
        case .table: return "a table"
        case .other(let kind): return "a \(kind)"
        }
    }

    /// Copies a TOMLKit table into plain values.
    init(table: TOMLTable) {
        var entries: [String: ConfigValue] = [:]
        for (key, value) in table {
            entries[key] = ConfigValue(node: value)
        }
        self = .table(entries)
    }

    private init(node: any TOMLValueConvertible) {
        // TOMLKit's accessors return nil only when the kind does not match, which `type` already ruled out;
        // falling back to `.other` keeps this total without force unwraps.
        switch node.type {
        case .string:
            self = node.string.map(ConfigValue.string) ?? .other(kind: "string")
        case .int:
            self = node.int.map(ConfigValue.integer) ?? .other(kind: "integer")
        case .double:
            self = node.double.map(ConfigValue.float) ?? .other(kind: "float")
        case .bool:
            self = node.bool.map(ConfigValue.boolean) ?? .other(kind: "boolean")
        case .array:
            if let array = node.array {
                self = .array(array.map { ConfigValue(node: $0) })
            } else {
                self = .other(kind: "array")
            }
        case .table:
            if let table = node.table {
                self = ConfigValue(table: table)
            } else {
                self = .other(kind: "table")
            }
        case .date:
            self = .other(kind: "date")
        case .time:
            self = .other(kind: "time")
        case .dateTime:
            self = .other(kind: "date-time")
        }
    }
}

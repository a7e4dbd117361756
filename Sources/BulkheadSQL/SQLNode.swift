// The generic Swift form of a libpg_query parse tree: every node keeps its kind and every field, known or not.

/// One node of PostgreSQL's raw parse tree, e.g. `SelectStmt` or `RangeVar`.
///
/// The tree is generic on purpose: a walker can visit every field of every node, including node kinds this
/// module has no rule for, so that an unknown kind can be refused instead of silently skipped.
/// Fields that libpg_query omits hold PostgreSQL's zero value (0, false, "", empty list).
public struct SQLNode: Sendable {
    /// The node's type name as in PostgreSQL's `nodes.h` (and libpg_query's protobuf), e.g. `"RangeVar"`.
    public let kind: String
    /// The node's fields in libpg_query's order, by their JSON names, e.g. `"relname"`, `"targetList"`.
    /// A short array: nodes have few fields, and a linear scan beats building a dictionary per node.
    public let fieldList: [(name: String, value: SQLValue)]

    public init(kind: String, fieldList: [(name: String, value: SQLValue)]) {
        self.kind = kind
        self.fieldList = fieldList
    }

    public init(kind: String, fields: [String: SQLValue]) {
        self.init(kind: kind, fieldList: fields.map { (name: $0.key, value: $0.value) })
    }

    /// The fields as a dictionary (convenience; internal code scans `fieldList`).
    public var fields: [String: SQLValue] {
        Dictionary(fieldList.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    public subscript(_ field: String) -> SQLValue? {
        for entry in fieldList where entry.name == field { return entry.value }
        return nil
    }

    /// The field as a node, if it holds one.
    public func node(_ field: String) -> SQLNode? {
        if case .node(let node)? = self[field] { return node }
        return nil
    }

    /// The field as a list of nodes; list elements that are not nodes are skipped.
    public func nodes(_ field: String) -> [SQLNode] {
        guard case .list(let items)? = self[field] else { return [] }
        return items.compactMap { item in
            if case .node(let node) = item { return node }
            return nil
        }
    }

    /// The field as a string, or `""` when absent (libpg_query omits empty strings).
    public func string(_ field: String) -> String {
        if case .string(let text)? = self[field] { return text }
        return ""
    }

    /// The field as an integer, or 0 when absent (libpg_query omits zeros).
    public func integer(_ field: String) -> Int64 {
        if case .integer(let value)? = self[field] { return value }
        return 0
    }

    /// The field as a boolean, or false when absent.
    public func bool(_ field: String) -> Bool {
        if case .bool(let value)? = self[field] { return value }
        return false
    }

    /// The byte offset of the node's main token in the statement text, when the node records one.
    public var location: Int? {
        guard case .integer(let value)? = self["location"], value >= 0 else {
            // libpg_query omits a location of 0, so a location-bearing node without the field starts the text.
            return self["location"] == nil && NodeFieldTypes.kindsWithLocation.contains(kind) ? 0 : nil
        }
        return Int(value)
    }

    /// The strings of a `List` of `String` nodes, such as a qualified name; nil if any element is not a string.
    public func names(_ field: String) -> [String]? {
        guard case .list(let items)? = self[field] else { return self[field] == nil ? [] : nil }
        var result: [String] = []
        for item in items {
            guard case .node(let node) = item, node.kind == "String" else { return nil }
            result.append(node.string("sval"))
        }
        return result
    }
}

/// A field value of a `SQLNode`.
public indirect enum SQLValue: Sendable {
    case node(SQLNode)
    case list([SQLValue])
    case string(String)
    case integer(Int64)
    case double(Double)
    case bool(Bool)
    /// An empty node slot (libpg_query writes a NULL list element as `{}`): it holds nothing.
    case null
    /// A structure the tree builder could not type (neither a tagged node nor a field with a known type).
    /// The gate refuses statements that contain one, since it could hide a table or function reference.
    case untyped
}

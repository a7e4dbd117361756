// A schema-qualified table name.

/// A table named as `schema.table`, with PostgreSQL's case folding applied.
public struct TableName: Sendable, Hashable {
    /// The schema, case-folded unless it was double-quoted.
    public var schema: String
    /// The table, case-folded unless it was double-quoted.
    public var table: String

    public init(schema: String, table: String) {
        self.schema = schema
        self.table = table
    }

    /// Parses "schema.table".
    static func parse(_ text: String) -> Result<TableName, ConfigMessage> {
        SQLNameParser.parse(text, allowsColumn: false, format: "\"schema.table\"") { name in
            guard name.parts.count == 2 else { return nil }
            return TableName(schema: name.parts[0], table: name.parts[1])
        }
    }
}

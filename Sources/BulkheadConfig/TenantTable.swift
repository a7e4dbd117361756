// A table whose rows belong to tenants, and the column that says to which.

/// A shared-isolation table filtered by tenant, parsed from `"schema.table"` or `"schema.table(column)"`.
public struct TenantTable: Sendable, Hashable {
    /// The schema, case-folded unless it was double-quoted.
    public var schema: String
    /// The table, case-folded unless it was double-quoted.
    public var table: String
    /// The tenant column: the one in parentheses, else the database's `tenant_column`.
    public var column: String

    public init(schema: String, table: String, column: String) {
        self.schema = schema
        self.table = table
        self.column = column
    }

    /// Parses "schema.table" or "schema.table(column)"; `defaultColumn` fills in a missing column.
    static func parse(_ text: String, defaultColumn: String) -> Result<TenantTable, ConfigMessage> {
        SQLNameParser.parse(text, allowsColumn: true, format: "\"schema.table\" or \"schema.table(column)\"") { name in
            guard name.parts.count == 2 else { return nil }
            return TenantTable(schema: name.parts[0], table: name.parts[1], column: name.column ?? defaultColumn)
        }
    }
}

// A function name, optionally schema-qualified.

/// A function named as `name` or `schema.name`, with PostgreSQL's case folding applied.
public struct FunctionName: Sendable, Hashable {
    /// The schema, or nil to match the function in any schema.
    public var schema: String?
    /// The function name, case-folded unless it was double-quoted.
    public var name: String

    public init(schema: String?, name: String) {
        self.schema = schema
        self.name = name
    }

    /// Parses "name" or "schema.name".
    static func parse(_ text: String) -> Result<FunctionName, ConfigMessage> {
        SQLNameParser.parse(text, allowsColumn: false, format: "\"name\" or \"schema.name\"") { name in
            switch name.parts.count {
            case 1: return FunctionName(schema: nil, name: name.parts[0])
            case 2: return FunctionName(schema: name.parts[0], name: name.parts[1])
            default: return nil
            }
        }
    }
}

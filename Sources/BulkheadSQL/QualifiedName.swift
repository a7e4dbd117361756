// A schema-qualified object name, compared in PostgreSQL's normalized spelling.

/// A table or function name as PostgreSQL resolves it: `schema` nil when the name was written unqualified.
/// Names are compared exactly as the parser normalized them (unquoted identifiers folded to lower case,
/// quoted ones kept, `U&"..."` escapes decoded), so every spelling of the same object compares equal.
public struct QualifiedName: Hashable, Sendable, CustomStringConvertible {
    public var schema: String?
    public var name: String

    public init(schema: String?, name: String) {
        self.schema = schema
        self.name = name
    }

    /// Parses a configuration spelling such as `app.documents` or `plans`: unquoted parts are folded to lower
    /// case as PostgreSQL would; a part in double quotes keeps its case.
    public init?(parsing text: String) {
        var parts: [String] = []
        var current = ""
        var quoted = false
        let iterator = Array(text.trimmingSpaces())
        var index = 0
        while index < iterator.count {
            let character = iterator[index]
            if quoted {
                if character == "\"" {
                    if index + 1 < iterator.count && iterator[index + 1] == "\"" {
                        current.append("\"")
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    current.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "." {
                guard !current.isEmpty else { return nil }
                parts.append(current)
                current = ""
            } else {
                current.append(contentsOf: String(character).lowercased())
            }
            index += 1
        }
        guard !quoted, !current.isEmpty else { return nil }
        parts.append(current)
        switch parts.count {
        case 1: self.init(schema: nil, name: parts[0])
        case 2: self.init(schema: parts[0], name: parts[1])
        default: return nil
        }
    }

    public var description: String {
        schema.map { "\($0).\(name)" } ?? name
    }

    /// The name as SQL, every part double-quoted so that the server reads back exactly this name.
    public var quotedSQL: String {
        schema.map { "\(Self.quote($0)).\(Self.quote(name))" } ?? Self.quote(name)
    }

    /// Double-quotes one identifier, doubling embedded quotes.
    public static func quote(_ identifier: String) -> String {
        "\"" + identifier.replacingAll("\"", with: "\"\"") + "\""
    }
}

extension String {
    func trimmingSpaces() -> Substring {
        var result = Substring(self)
        while let first = result.first, first.isWhitespace { result.removeFirst() }
        while let last = result.last, last.isWhitespace { result.removeLast() }
        return result
    }

    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        result.reserveCapacity(count)
        for character in self {
            if character == target { result += replacement } else { result.append(character) }
        }
        return result
    }
}

// Parses PostgreSQL-style names such as `app.documents`, `"MixedCase".t` or `app.organizations(id)`.

/// Splits qualified SQL names into identifiers, folding unquoted ones to lower case as PostgreSQL does.
enum SQLNameParser {
    /// PostgreSQL silently truncates longer identifiers (NAMEDATALEN - 1), which would make a name match nothing.
    static let maxIdentifierBytes = 63

    /// The dotted parts and the optional parenthesised column.
    struct ParsedName: Equatable {
        var parts: [String]
        var column: String?
    }

    /// Parses `part(.part)*` optionally followed by `(column)` when `allowsColumn` is set.
    static func parse(_ text: String, allowsColumn: Bool) -> Result<ParsedName, ConfigMessage> {
        var cursor = Cursor(scalars: Array(text.unicodeScalars))
        var name = ParsedName(parts: [], column: nil)
        cursor.skipSpaces()
        repeat {
            cursor.skipSpaces()
            switch cursor.readIdentifier() {
            case .success(let part): name.parts.append(part)
            case .failure(let message): return .failure(message)
            }
            cursor.skipSpaces()
        } while cursor.consume(".")

        if allowsColumn, cursor.consume("(") {
            cursor.skipSpaces()
            switch cursor.readIdentifier() {
            case .success(let column): name.column = column
            case .failure(let message): return .failure(message)
            }
            cursor.skipSpaces()
            guard cursor.consume(")") else { return .failure("missing \")\" after the column") }
            cursor.skipSpaces()
        }
        guard cursor.isAtEnd else {
            return .failure("unexpected \"\(cursor.remainder)\"")
        }
        return .success(name)
    }

    /// Parses `text` and shapes it with `build`; both parse failures and rejected shapes say which `format` was expected.
    static func parse<Value>(
        _ text: String, allowsColumn: Bool, format: String, build: (ParsedName) -> Value?
    ) -> Result<Value, ConfigMessage> {
        let expected = "must be \(format), got \"\(text)\""
        switch parse(text, allowsColumn: allowsColumn) {
        case .success(let name):
            return build(name).map { .success($0) } ?? .failure(ConfigMessage(expected))
        case .failure(let detail):
            return .failure(ConfigMessage(expected + " (\(detail.text))"))
        }
    }

    /// Parses a single, unqualified identifier.
    static func identifier(_ text: String) -> Result<String, ConfigMessage> {
        switch parse(text, allowsColumn: false) {
        case .success(let name) where name.parts.count == 1:
            return .success(name.parts[0])
        case .success:
            return .failure("must be a single identifier, without a schema")
        case .failure(let message):
            return .failure(message)
        }
    }

    /// A read position over the name's scalars; every read checks the bounds first.
    private struct Cursor {
        let scalars: [Unicode.Scalar]
        var index = 0

        var isAtEnd: Bool { index >= scalars.count }

        var remainder: String {
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars[min(index, scalars.count)...])
            return text
        }

        func peek(offset: Int = 0) -> Unicode.Scalar? {
            index + offset < scalars.count ? scalars[index + offset] : nil
        }

        mutating func consume(_ expected: Unicode.Scalar) -> Bool {
            guard peek() == expected else { return false }
            index += 1
            return true
        }

        mutating func skipSpaces() {
            while let scalar = peek(), scalar == " " || scalar == "\t" { index += 1 }
        }

        mutating func readIdentifier() -> Result<String, ConfigMessage> {
            guard let first = peek() else { return .failure("missing identifier at the end") }
            var identifier = ""
            if first == "\"" {
                index += 1
                while true {
                    guard let scalar = peek() else { return .failure("unterminated quoted identifier") }
                    index += 1
                    if scalar == "\"" {
                        // A doubled quote is a literal quote inside a quoted identifier.
                        guard consume("\"") else { break }
                    }
                    identifier.unicodeScalars.append(scalar)
                }
                guard !identifier.isEmpty else { return .failure("zero-length quoted identifier") }
            } else if Self.isIdentifierStart(first) {
                while let scalar = peek(), Self.isIdentifierPart(scalar) {
                    identifier.unicodeScalars.append(Self.asciiLowercased(scalar))
                    index += 1
                }
            } else {
                return .failure("expected an identifier at \"\(remainder)\"")
            }
            guard identifier.utf8.count <= SQLNameParser.maxIdentifierBytes else {
                return .failure("identifier \"\(identifier)\" is longer than \(SQLNameParser.maxIdentifierBytes) bytes")
            }
            return .success(identifier)
        }

        private static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar {
            case "A"..."Z", "a"..."z", "_": return true
            default: return scalar.value >= 0x80
            }
        }

        private static func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
            isIdentifierStart(scalar) || ("0"..."9").contains(scalar) || scalar == "$"
        }

        /// PostgreSQL folds only ASCII letters, leaving other scripts untouched.
        private static func asciiLowercased(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
            guard ("A"..."Z").contains(scalar), let lower = Unicode.Scalar(scalar.value + 32) else { return scalar }
            return lower
        }
    }
}

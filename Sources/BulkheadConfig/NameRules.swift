// Validation of the plain names used for nodes, tenants, databases and roles.

/// Checks on names that are not SQL identifiers to be case-folded.
enum NameRules {
    /// Names that appear in logs and metric labels: `[A-Za-z0-9_.-]+`.
    static func label(_ text: String) -> Result<String, ConfigMessage> {
        guard !text.isEmpty else { return .failure("must not be empty") }
        let isValid = text.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "A"..."Z", "a"..."z", "0"..."9", "_", ".", "-": return true
            default: return false
            }
        }
        guard isValid else { return .failure("must contain only letters, digits, \"_\", \".\" and \"-\", got \"\(text)\"") }
        return .success(text)
    }

    /// Names PostgreSQL stores verbatim (databases, roles, schemas): non-empty and short enough not to be truncated.
    static func postgresName(_ text: String) -> Result<String, ConfigMessage> {
        guard !text.isEmpty else { return .failure("must not be empty") }
        guard text.utf8.count <= SQLNameParser.maxIdentifierBytes else {
            return .failure("must be at most \(SQLNameParser.maxIdentifierBytes) bytes, as PostgreSQL truncates longer names")
        }
        return .success(text)
    }
}

// The two outcomes of the tenant gate: the SQL to forward, or a refusal to send back as an ErrorResponse.

/// A statement text the tenant may run: forward `sql` instead of what the client sent.
public struct GateVerdict: Sendable, Equatable {
    /// The text to send to the server: the original, or its confined rewrite (shared mode).
    public let sql: String
    /// True when `sql` differs from the client's text.
    public let isRewritten: Bool
    /// How many statements the text holds.
    public let statementCount: Int

    public init(sql: String, isRewritten: Bool, statementCount: Int) {
        self.sql = sql
        self.isRewritten = isRewritten
        self.statementCount = statementCount
    }
}

/// Why a text was refused. Map it to an ErrorResponse with these fields; the client session stays usable.
public struct GateRefusal: Error, Sendable, Equatable {
    /// `42501` (insufficient_privilege) for isolation rules, `0A000` (feature_not_supported) for statement
    /// kinds tenants simply cannot use, `42601` (syntax_error) for text PostgreSQL would not parse.
    public let sqlState: String
    /// Names the rule, e.g. `bulkhead: schema tenant_globex is outside tenant acme`.
    public let message: String
    /// 1-based character position of the offending token in the client's text, when known.
    public let position: Int?

    public init(sqlState: String, message: String, position: Int?) {
        self.sqlState = sqlState
        self.message = message
        self.position = position
    }

    public static let insufficientPrivilege = "42501"
    public static let featureNotSupported = "0A000"
    public static let syntaxError = "42601"
}

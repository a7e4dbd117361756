// Why a text could not be parsed into statements.

/// A parse failure. The gate turns every one of these into a refusal: text PostgreSQL's grammar rejects,
/// or that this module cannot read completely, is never forwarded.
public struct SQLError: Error, Sendable, Equatable {
    /// PostgreSQL's own message, e.g. `syntax error at or near "FORM"`.
    public let message: String
    /// 1-based character position of the error in the text, when known.
    public let position: Int?

    public init(message: String, position: Int?) {
        self.message = message
        self.position = position
    }
}

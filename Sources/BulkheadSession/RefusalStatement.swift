// The statement the proxy sends in place of a refused one, so PostgreSQL itself raises the proxy's error.

/// Builds a DO block that raises a given SQLSTATE and message.
///
/// Refusing through the server keeps PostgreSQL's semantics exactly: inside a transaction the refusal
/// fails the transaction, and the client sees an ordinary ErrorResponse followed by ReadyForQuery.
public enum RefusalStatement {
    public static func sql(sqlState: String, message: String) -> String {
        // The message is the proxy's own text but may quote client names: as an escape-string literal with every
        // `$` escaped, it can neither end the literal nor the dollar-quoted body.
        let literal = String(ParameterSync.literal(message).flatMap { $0 == "$" ? ["\\", "$"] : [$0] })
        let state = String(sqlState.unicodeScalars.filter { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) }.prefix(5))
        return "DO $bulkhead$ BEGIN RAISE EXCEPTION USING ERRCODE = '\(state)', MESSAGE = \(literal); END $bulkhead$"
    }
}

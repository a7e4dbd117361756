// What routing needs to know about one statement (or one multi-statement query), independent of the SQL parser.

/// The classification of a statement, reduced to what routing depends on.
///
/// The proxy fills it from the SQL classifier; this module deliberately does not depend on the parser.
public struct StatementFacts: Sendable, Hashable {
    /// True only when the statement cannot write, so it may run on a replica.
    public var isReadOnly: Bool
    /// A `/* bulkhead:primary */` hint: the primary, for this statement (or the transaction it starts).
    public var forcesPrimary: Bool
    /// Set for transaction-control statements.
    public var transaction: TransactionStep?

    public init(isReadOnly: Bool, forcesPrimary: Bool = false, transaction: TransactionStep? = nil) {
        self.isReadOnly = isReadOnly
        self.forcesPrimary = forcesPrimary
        self.transaction = transaction
    }

    /// A statement that cannot write.
    public static let read = StatementFacts(isReadOnly: true)
    /// A statement that may write.
    public static let write = StatementFacts(isReadOnly: false)

    /// A transaction-control statement.
    public static func control(_ step: TransactionStep) -> StatementFacts {
        StatementFacts(isReadOnly: true, transaction: step)
    }
}

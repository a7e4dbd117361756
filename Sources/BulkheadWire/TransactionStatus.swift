// The transaction state a server reports in ReadyForQuery.

/// Backend transaction status from ReadyForQuery ('Z').
public enum TransactionStatus: UInt8, Sendable, Hashable {
    /// 'I': not in a transaction block.
    case idle = 73
    /// 'T': in a transaction block.
    case inTransaction = 84
    /// 'E': in a failed transaction block; queries are rejected until it ends.
    case failed = 69
}

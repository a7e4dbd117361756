// The transaction-control facts of a statement that routing needs.

/// What a statement does to the transaction, as the SQL classifier reports it.
public enum TransactionStep: Sendable, Hashable {
    /// `BEGIN`/`START TRANSACTION`; `readOnly` is nil when it does not say. `serializable` matters because a
    /// hot standby refuses serializable transactions, so they stay on the primary.
    case begin(readOnly: Bool?, serializable: Bool = false)
    /// `SET TRANSACTION` (only counts as the first statement of a transaction).
    case setTransaction(readOnly: Bool?, serializable: Bool = false)
    /// `SET SESSION CHARACTERISTICS AS TRANSACTION` or `SET default_transaction_read_only`: the default of later `BEGIN`s.
    case setSessionDefault(readOnly: Bool?)
    /// `COMMIT`/`END`.
    case commit
    /// `ROLLBACK`/`ABORT`, and `PREPARE TRANSACTION`, which ends the session's transaction without making it visible.
    case rollback
}

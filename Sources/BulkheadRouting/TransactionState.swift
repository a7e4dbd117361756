// Where a client's explicit transaction stands, as far as routing is concerned.

/// A session's explicit transaction.
public enum TransactionState: Sendable, Hashable {
    /// No explicit transaction: each statement is routed on its own.
    case none
    /// `BEGIN` was seen and held back; the first statement after it decides the node.
    case pending(readOnly: Bool?, serializable: Bool)
    /// The transaction runs on `node`. `readOnly` when it was routed as a read-only transaction;
    /// `wrote` once a statement that may write ran in it.
    case open(node: NodeID, readOnly: Bool, wrote: Bool)
}

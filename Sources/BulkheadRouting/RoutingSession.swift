// One client's routing state: its `bulkhead.route` override and its explicit transaction.

/// Per-client routing state, as a pure value owned by the client's session.
///
/// Inside an explicit transaction every statement goes to the node the transaction started on. That is the
/// primary unless the transaction is read-only: begun `READ ONLY`, made so by a `SET TRANSACTION READ ONLY`
/// right after `BEGIN`, or by a read-only session default. So that the first statement can decide, `BEGIN` is
/// held back (``RouteTarget/deferred``) and sent ahead of it.
public struct RoutingSession: Sendable, Hashable {
    /// `SET bulkhead.route`; applies from the next transaction or statement outside one.
    public var override: RouteOverride = .auto
    public private(set) var transaction: TransactionState = .none
    /// True after `SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY` and its equivalents.
    public private(set) var readOnlyByDefault = false

    public init() {}

    /// The server reported no transaction open after a failure, or the server connection was lost:
    /// the transaction is gone whatever routing believed.
    public mutating func transactionEnded() {
        transaction = .none
    }

    // MARK: Planning

    func plan(for statement: StatementFacts, policy: RoutingPolicy) -> RoutePlan {
        var plan: RoutePlan
        switch transaction {
        case .open(let node, let readOnly, let wrote):
            plan = planInside(node: node, readOnly: readOnly, wrote: wrote, statement, policy)
        case .pending(let readOnly, let serializable):
            plan = planFirst(readOnly: readOnly, serializable: serializable, statement, policy)
        case .none:
            plan = planOutside(statement, policy)
        }
        if case .setSessionDefault(let readOnly?)? = statement.transaction { plan.readOnlyByDefault = readOnly }
        return plan
    }

    private func planInside(node: NodeID, readOnly: Bool, wrote: Bool, _ statement: StatementFacts, _ policy: RoutingPolicy) -> RoutePlan {
        switch statement.transaction {
        case .commit?:
            var plan = RoutePlan(need: .pinned(node), effect: .ended)
            plan.learnsWriteLSN = policy.tracksWrites && !readOnly && wrote
            return plan
        case .rollback?:
            return RoutePlan(need: .pinned(node), effect: .ended)
        case nil where !statement.isReadOnly:
            return RoutePlan(need: .pinned(node), effect: .wrote)
        default:
            return RoutePlan(need: .pinned(node), effect: .unchanged)
        }
    }

    /// The first statement after a held `BEGIN` decides where the whole transaction runs.
    private func planFirst(readOnly: Bool?, serializable: Bool, _ statement: StatementFacts, _ policy: RoutingPolicy) -> RoutePlan {
        var readOnly = readOnly
        var serializable = serializable
        let ends: Bool
        switch statement.transaction {
        case .begin?:
            // A second BEGIN only draws a warning from PostgreSQL; it is held with the first.
            return RoutePlan(need: .deferred, effect: .unchanged)
        case .setTransaction(let setReadOnly, let setSerializable)?:
            readOnly = setReadOnly ?? readOnly
            serializable = serializable || setSerializable
            ends = false
        case .commit?, .rollback?:
            ends = true
        default:
            ends = false
        }
        let isReadOnly = readOnly ?? readOnlyByDefault
        let wrote = statement.transaction == nil && !statement.isReadOnly
        return startTransaction(readOnly: isReadOnly && !serializable, wrote: wrote, ends: ends, statement, policy)
    }

    private func planOutside(_ statement: StatementFacts, _ policy: RoutingPolicy) -> RoutePlan {
        if case .begin(let readOnly, let serializable)? = statement.transaction {
            // Holding BEGIN only helps when the next statement could still send the transaction to a replica.
            guard policy.readWriteSplit, policy.defersBegin, override == .auto else {
                return startTransaction(readOnly: readOnly ?? readOnlyByDefault, wrote: false, ends: false, statement, policy)
            }
            return RoutePlan(need: .deferred, effect: .pending(readOnly: readOnly, serializable: serializable))
        }
        if override == .replica { return RoutePlan(need: .replicaOnly, effect: .unchanged) }
        if override == .auto, policy.readWriteSplit, statement.isReadOnly, !statement.forcesPrimary {
            return RoutePlan(need: .read, effect: .unchanged)
        }
        var plan = RoutePlan(need: .primary, effect: .unchanged)
        plan.learnsWriteLSN = policy.tracksWrites && !statement.isReadOnly
        return plan
    }

    private func startTransaction(readOnly: Bool, wrote: Bool, ends: Bool, _ statement: StatementFacts, _ policy: RoutingPolicy) -> RoutePlan {
        let need: RoutePlan.Need
        let routedReadOnly: Bool
        switch override {
        case .replica:
            need = .replicaOnly
            routedReadOnly = true
        case .primary:
            need = .primary
            routedReadOnly = false
        case .auto:
            routedReadOnly = policy.readWriteSplit && readOnly && !statement.forcesPrimary
            need = routedReadOnly ? .read : .primary
        }
        return RoutePlan(need: need, effect: ends ? .ended : .open(readOnly: routedReadOnly, wrote: wrote))
    }

    // MARK: Applying

    /// Commits the plan once the statement has a node (nil for a held `BEGIN`).
    mutating func apply(_ plan: RoutePlan, on node: NodeID?) {
        if let readOnly = plan.readOnlyByDefault { readOnlyByDefault = readOnly }
        switch plan.effect {
        case .unchanged:
            break
        case .pending(let readOnly, let serializable):
            transaction = .pending(readOnly: readOnly, serializable: serializable)
        case .open(let readOnly, let wrote):
            guard let node else { return }
            transaction = .open(node: node, readOnly: readOnly, wrote: wrote)
        case .wrote:
            if case .open(let node, let readOnly, _) = transaction {
                transaction = .open(node: node, readOnly: readOnly, wrote: true)
            }
        case .ended:
            transaction = .none
        }
    }
}

// Derives the log-worthy changes between two versions of one node's health record.

extension NodeHealth {
    /// The node-level changes from `old` to `self`, in the order a reader of the log expects them.
    func changes(since old: NodeHealth) -> [TopologyEvent.Change] {
        var changes: [TopologyEvent.Change] = []
        if !old.isReachable, isReachable, let observedRole { changes.append(.up(observedRole)) }
        if old.status != .down, status == .down, let failure { changes.append(.down(failure)) }
        if old.status != .lagging, status == .lagging { changes.append(.lagging(replayLag ?? .zero)) }
        if old.status == .lagging, status == .up { changes.append(.recovered) }
        if old.isReachable, isReachable, old.observedRole == .primary, observedRole == .replica {
            changes.append(.demoted)
        }
        if !old.hasRoleConflict, hasRoleConflict, let observedRole {
            changes.append(.roleConflict(configured: configuredRole, observed: observedRole))
        }
        return changes
    }
}

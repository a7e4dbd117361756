// What routing knows about one node: reachability, reported role, lag and WAL positions.

/// The health record of one node, updated from health checks, on-demand checks and pool failures.
public struct NodeHealth: Sendable, Hashable {
    public typealias Instant = ContinuousClock.Instant

    public let id: NodeID
    public let name: String
    public let configuredRole: ConfiguredRole
    public let weight: Int
    public internal(set) var status: NodeStatus = .unknown
    /// The role the last successful check reported; nil before the first one.
    public internal(set) var observedRole: ObservedRole?
    /// Why the node is down; nil while it is not.
    public internal(set) var failure: NodeFailure?
    /// The WAL position a check last reported while the node was a primary.
    public internal(set) var walLSN: LSN?
    /// The replay position last observed while the node was a replica; reads there see everything before it.
    public internal(set) var replayLSN: LSN?
    /// When ``replayLSN`` was observed, by a periodic or an on-demand check.
    public internal(set) var replayObservedAt: Instant?
    /// The replay lag the last check of this replica found (zero once caught up with the primary).
    public internal(set) var replayLag: Duration?
    /// When a check last succeeded.
    public internal(set) var lastConfirmed: Instant?
    /// Since when the node has, without interruption, claimed to be a primary; orders competing claims.
    var claimingPrimarySince: Instant?

    init(id: NodeID, node: RoutingNode) {
        self.id = id
        self.name = node.name
        self.configuredRole = node.role
        self.weight = node.weight
    }

    /// True when the last check succeeded and nothing failed since.
    public var isReachable: Bool { status == .up || status == .lagging }

    /// True when the node reports a role its fixed configured role forbids: it then gets no traffic at all.
    public var hasRoleConflict: Bool {
        guard isReachable, let observedRole else { return false }
        switch configuredRole {
        case .primary: return observedRole == .replica
        case .replica: return observedRole == .primary
        case .auto: return false
        }
    }

    /// True when the node answers and says it is out of recovery, whatever the configuration expects.
    public var claimsPrimary: Bool { isReachable && observedRole == .primary }

    /// True when reads may go to the node as a replica.
    public var isInRotation: Bool { status == .up && observedRole == .replica && !hasRoleConflict }

    /// Applies a successful check. `primaryWAL` is the current primary's last known WAL position, if any.
    mutating func record(_ probe: ProbeResult, primaryWAL: LSN?, maxLag: Duration, now: Instant) {
        let wasClaiming = claimsPrimary
        lastConfirmed = now
        failure = nil
        if probe.inRecovery {
            observedRole = .replica
            claimingPrimarySince = nil
            replayLSN = probe.replayLSN
            replayObservedAt = now
            replayLag = Self.effectiveLag(probe, primaryWAL: primaryWAL)
            status = (replayLag ?? .zero) > maxLag ? .lagging : .up
        } else {
            observedRole = .primary
            walLSN = probe.walLSN
            replayLag = nil
            status = .up
            if !wasClaiming { claimingPrimarySince = now }
        }
    }

    /// Applies an on-demand freshness check. The newest answer wins even if smaller: it can only be conservative,
    /// while keeping a maximum would trust a node that was rebuilt from an older backup.
    mutating func recordReplay(_ lsn: LSN, now: Instant) {
        replayLSN = lsn
        replayObservedAt = now
    }

    mutating func record(_ failure: NodeFailure) {
        status = .down
        self.failure = failure
        claimingPrimarySince = nil
    }

    /// A replica that has replayed everything the primary had written at its last check is not behind,
    /// however old its last replayed transaction is: an idle primary must not make its replicas look late.
    private static func effectiveLag(_ probe: ProbeResult, primaryWAL: LSN?) -> Duration? {
        if let replay = probe.replayLSN, let primaryWAL, replay >= primaryWAL { return .zero }
        return probe.replayLag
    }
}

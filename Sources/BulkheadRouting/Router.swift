// Routes each statement to a node: the session's transaction, the topology, the balancer and read-your-writes together.

/// The routing core for one cluster: its ``Topology`` plus per-node load and counters.
///
/// Databases share it; their own switches come in a ``RoutingPolicy`` and their read-your-writes state in a
/// ``ConsistencyTracker`` whose requirement is passed to ``route(_:session:policy:requirement:waitingSince:now:using:)``.
/// Like the rest of the module it is a pure value: the owner serialises access and performs every action.
public struct Router: Sendable {
    public typealias Instant = ContinuousClock.Instant

    struct Usage: Sendable {
        var inUse = 0
        var reads: UInt64 = 0
        var writes: UInt64 = 0
    }

    /// Health, roles and the primary; the owner feeds it health-check results through this property.
    public var topology: Topology {
        // Without reading oldValue this stays an in-place modification, so feeding probes copies nothing.
        didSet {
            if usage.count != topology.nodes.count { usage = Array(repeating: Usage(), count: topology.nodes.count) }
        }
    }
    var usage: [Usage]
    /// Reused for every read so that routing a statement allocates nothing.
    var candidates: [ReadCandidate] = []

    public init(topology: Topology) {
        self.topology = topology
        self.usage = Array(repeating: Usage(), count: topology.nodes.count)
        candidates.reserveCapacity(topology.nodes.count)
    }

    /// The node's server connections currently leased, summed over all its pools.
    public mutating func setConnectionsInUse(_ count: Int, on node: NodeID) {
        guard usage.indices.contains(node.rawValue) else { return }
        usage[node.rawValue].inUse = max(0, count)
    }

    /// Routes one statement.
    ///
    /// - Parameters:
    ///   - requirement: what the session's reads must see, from ``ConsistencyTracker/requirement(for:)``;
    ///     ignored unless the policy asks for read-your-writes.
    ///   - waitingSince: when the statement first asked, if it is being routed again after ``RouteTarget/wait(until:)``
    ///     or ``RouteTarget/checkReplica(_:needs:)``; `primary_wait_timeout` counts from there.
    ///   - random: the source for balancing; inject a seeded one to reproduce picks.
    public mutating func route(
        _ statement: StatementFacts, session: inout RoutingSession, policy: RoutingPolicy,
        requirement: ReadRequirement? = nil, waitingSince: Instant? = nil, now: Instant, using random: inout RoutingRandom
    ) -> RoutingDecision {
        let plan = session.plan(for: statement, policy: policy)
        let since = waitingSince ?? now
        let target: RouteTarget
        switch plan.need {
        case .deferred:
            target = .deferred
        case .pinned(let node):
            target = .node(node)
        case .primary:
            target = primaryTarget(waitingSince: since, now: now)
        case .read:
            target = readTarget(
                requirement: policy.readYourWrites ? requirement : nil, primaryReads: policy.primaryReads,
                waitingSince: since, now: now, using: &random
            )
        case .replicaOnly:
            target = replicaTarget(using: &random)
        }
        switch target {
        case .node(let node):
            session.apply(plan, on: node)
            count(statement, on: node)
            return RoutingDecision(target: target, learnsWriteLSN: plan.learnsWriteLSN)
        case .deferred:
            session.apply(plan, on: nil)
            return RoutingDecision(target: target)
        case .checkReplica, .wait, .fail:
            return RoutingDecision(target: target)
        }
    }

    /// Per-node figures for the admin console, metrics and logs.
    public func stats() -> [NodeStats] {
        let primaryWAL = topology.primary.flatMap { topology[$0].walLSN }
        return topology.nodes.map { node in
            let isReplica = node.observedRole == .replica
            return NodeStats(
                node: node.id, name: node.name, configuredRole: node.configuredRole, observedRole: node.observedRole,
                status: node.status, isPrimary: topology.primary == node.id, inRotation: node.isInRotation,
                lagSeconds: isReplica ? node.replayLag : nil,
                lagBytes: isReplica ? primaryWAL.flatMap { wal in node.replayLSN.map { wal.bytes(since: $0) } } : nil,
                readsRouted: usage[node.id.rawValue].reads, writesRouted: usage[node.id.rawValue].writes,
                connectionsInUse: usage[node.id.rawValue].inUse
            )
        }
    }

    private mutating func count(_ statement: StatementFacts, on node: NodeID) {
        guard usage.indices.contains(node.rawValue) else { return }
        if statement.isReadOnly { usage[node.rawValue].reads += 1 } else { usage[node.rawValue].writes += 1 }
    }
}

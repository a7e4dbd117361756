// A simulated primary with replicas replaying after a delay: the ground truth read-your-writes is checked against.

import BulkheadRouting

/// A primary whose WAL grows with each commit, and replicas that have replayed what the primary had `delay` ago.
struct ClusterSimulation {
    /// The primary's WAL position after each commit, oldest first; never empty.
    private var history: [(time: Instant, lsn: LSN)]
    /// How far behind each replica replays (think `recovery_min_apply_delay`).
    var delays: [NodeID: Duration]

    init(start: LSN, at time: Instant, delays: [NodeID: Duration]) {
        history = [(time, start)]
        self.delays = delays
    }

    var wal: LSN { history[history.count - 1].lsn }

    /// A transaction commits; returns the insert position read right after it.
    mutating func commit(bytes: UInt64, at now: Instant) -> LSN {
        let lsn = wal.advanced(by: bytes)
        history.append((now, lsn))
        return lsn
    }

    /// What `node` has really replayed at `now`: everything the primary had committed `delay` earlier.
    func replay(of node: NodeID, at now: Instant) -> LSN {
        let horizon = now - (delays[node] ?? .zero)
        return history.last { $0.time <= horizon }?.lsn ?? history[0].lsn
    }

    /// The health check's answer at `now`.
    func probe(_ node: NodeID, at now: Instant) -> ProbeResult {
        guard let delay = delays[node] else { return .primary(walLSN: wal) }
        let replay = replay(of: node, at: now)
        return .replica(replayLSN: replay, lag: replay < wal ? delay : .zero)
    }
}

/// Drives sessions through a router against a ``ClusterSimulation`` and records every stale read.
///
/// Sessions 0 to 3 write and read; sessions 4 and 5 only read, under a tenant of their own.
struct ReadYourWritesHarness {
    var cluster: ClusterSimulation
    var router: Router
    var tracker = ConsistencyTracker()
    var sessions = Array(repeating: RoutingSession(), count: 6)
    let tenants = ["acme", "globex", "acme", "globex", "initech", "initech"]
    let writers = 4
    let policy: RoutingPolicy
    var random: RoutingRandom
    var now: Instant
    /// The highest commit position of each scope, kept independently of the tracker.
    var truth: [ConsistencyKey: LSN] = [:]
    var violations: [String] = []
    var replicaReads: [NodeID: Int] = [:]
    var constrainedReplicaReads = 0
    var checks = 0

    init(seed: UInt64, delays: [NodeID: Duration], policy: RoutingPolicy) {
        random = RoutingRandom(seed: seed)
        now = at(0)
        cluster = ClusterSimulation(start: LSN(0x1_0000_0000), at: at(-10), delays: delays)
        var topology = makeTopology()
        for node in [primaryNode, replica1, replica2] {
            _ = topology.probeSucceeded(node, cluster.probe(node, at: now), now: now)
        }
        router = Router(topology: topology)
        self.policy = policy
    }

    func key(_ session: Int) -> ConsistencyKey {
        policy.consistencyKey(session: session, tenant: tenants[session])
    }

    mutating func advance(by duration: Duration) {
        let before = now
        now = now.advanced(by: duration)
        // A check round on every whole second passed, as the health checker would run them.
        if Self.second(before) != Self.second(now) { probeRound() }
    }

    private static func second(_ instant: Instant) -> Int64 {
        (instant - at(0)).components.seconds
    }

    mutating func probeRound() {
        for node in [primaryNode, replica1, replica2] {
            _ = router.topology.probeSucceeded(node, cluster.probe(node, at: now), now: now)
        }
    }

    /// Routes a statement, answering freshness checks from the simulation, and returns the final decision.
    mutating func route(_ statement: StatementFacts, session: Int) -> RoutingDecision {
        let requirement = tracker.requirement(for: key(session))
        let started = now
        for _ in 0..<3 {
            let decision = router.route(
                statement, session: &sessions[session], policy: policy, requirement: requirement,
                waitingSince: started, now: now, using: &random
            )
            guard case .checkReplica(let node, _) = decision.target else { return decision }
            checks += 1
            router.topology.replayObserved(node, lsn: cluster.replay(of: node, at: now), now: now)
        }
        violations.append("session \(session) still asked for a check after two answers")
        return RoutingDecision(target: .fail(.noReplica))
    }

    /// A commit happened on the primary; the proxy learns its position only when the decision asked for it.
    private mutating func commit(_ session: Int, learned: Bool) {
        let lsn = cluster.commit(bytes: UInt64.random(in: 24...8192, using: &random), at: now)
        truth[key(session)] = max(truth[key(session)] ?? .zero, lsn)
        if learned { tracker.recordWrite(lsn, for: key(session), now: now) }
    }

    /// Checks a read that ran on `target` against what its scope has committed.
    mutating func verifyRead(_ target: RouteTarget, session: Int, what: String) {
        guard case .node(let node) = target else {
            return violations.append("\(what) by session \(session) was not routed: \(target)")
        }
        guard node != primaryNode else { return }
        replicaReads[node, default: 0] += 1
        guard let needed = truth[key(session)] else { return }
        constrainedReplicaReads += 1
        let seen = cluster.replay(of: node, at: now)
        if seen < needed {
            violations.append("\(what) by session \(session) at \(now - at(0)) went to \(node), replayed \(seen) < \(needed)")
        }
    }

    mutating func write(_ session: Int) {
        let decision = route(.write, session: session)
        guard decision.target == .node(primaryNode) else { return violations.append("write went to \(decision.target)") }
        commit(session, learned: decision.learnsWriteLSN)
    }

    mutating func writeTransaction(_ session: Int) {
        let begin = route(.control(.begin(readOnly: nil)), session: session)
        let insert = route(.write, session: session)
        let commit = route(.control(.commit), session: session)
        guard begin.target == .deferred, insert.target == .node(primaryNode), commit.target == .node(primaryNode) else {
            return violations.append("transaction went to \(begin.target), \(insert.target), \(commit.target)")
        }
        self.commit(session, learned: commit.learnsWriteLSN)
    }

    mutating func read(_ session: Int) {
        verifyRead(route(.read, session: session).target, session: session, what: "read")
    }

    mutating func readOnlyTransaction(_ session: Int) {
        _ = route(.control(.begin(readOnly: true)), session: session)
        let first = route(.read, session: session).target
        verifyRead(first, session: session, what: "read-only transaction")
        let second = route(.read, session: session).target
        if second != first { violations.append("read-only transaction moved from \(first) to \(second)") }
        _ = route(.control(.commit), session: session)
    }
}

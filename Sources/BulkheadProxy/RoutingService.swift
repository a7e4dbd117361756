// Shares one Router (topology, balancing) and the read-your-writes trackers between all client connections.

import BulkheadRouting
import Logging
import NIOConcurrencyHelpers

/// The running proxy's routing state behind one lock, plus the log lines topology changes deserve.
///
/// Everything it holds is a pure value from `BulkheadRouting`; this class only serialises access, reads the
/// clock and logs what the values report.
final class RoutingService: Sendable {
    typealias Instant = ContinuousClock.Instant

    private struct State {
        var router: Router
        /// Read-your-writes positions per database name.
        var trackers: [String: ConsistencyTracker] = [:]
        var random = RoutingRandom()
        /// Server connections leased per node through routing, for least-loaded balancing.
        var inUse: [Int]
    }

    private let state: NIOLockedValueBox<State>
    private let logger: Logger
    private let now: @Sendable () -> Instant
    let settings: TopologySettings

    init(nodes: [RoutingNode], settings: TopologySettings, logger: Logger, now: @escaping @Sendable () -> Instant = { .now }) {
        self.settings = settings
        self.logger = logger
        self.now = now
        state = NIOLockedValueBox(State(router: Router(topology: Topology(nodes: nodes, settings: settings)),
                                        inUse: Array(repeating: 0, count: nodes.count)))
    }

    // MARK: Statements

    /// Routes a new lease. A `.node` answer counts the node as one connection busier until ``leaseEnded(on:)``,
    /// and says whether that node is a replica (its lease may take only reads).
    /// `.checkReplica` is answered only when `mayCheck`; otherwise the primary, which is always fresh, takes the read.
    func route(_ facts: StatementFacts, session: inout RoutingSession, database: DatabasePlan, key: ConsistencyKey,
               waitingSince: Instant?, mayCheck: Bool = false) -> (decision: RoutingDecision, onReplica: Bool) {
        let now = self.now()
        return state.withLockedValue { state in
            // Only a read can be stale: a write goes to the primary, so it needs no lookup.
            let requirement = database.routing.readYourWrites && facts.isReadOnly
                ? state.trackers[database.name]?.requirement(for: key) : nil
            var decision = state.router.route(facts, session: &session, policy: database.routing, requirement: requirement,
                                              waitingSince: waitingSince, now: now, using: &state.random)
            if case .checkReplica = decision.target, !mayCheck {
                var primaryOnly = facts
                primaryOnly.forcesPrimary = true
                decision = state.router.route(primaryOnly, session: &session, policy: database.routing, requirement: requirement,
                                              waitingSince: waitingSince, now: now, using: &state.random)
            }
            guard case .node(let node) = decision.target, state.inUse.indices.contains(node.rawValue) else { return (decision, false) }
            state.inUse[node.rawValue] += 1
            state.router.setConnectionsInUse(state.inUse[node.rawValue], on: node)
            return (decision, state.router.topology.primary != node)
        }
    }

    func leaseEnded(on node: NodeID) {
        state.withLockedValue { state in
            guard state.inUse.indices.contains(node.rawValue) else { return }
            state.inUse[node.rawValue] = max(0, state.inUse[node.rawValue] - 1)
            state.router.setConnectionsInUse(state.inUse[node.rawValue], on: node)
        }
    }

    /// A transaction of `key` that wrote committed at or before `lsn` on the primary.
    func recordWrite(_ lsn: LSN, database: String, key: ConsistencyKey) {
        let now = self.now()
        state.withLockedValue { state in
            // Changed in place through its index: the `default:` subscript would copy the tracker.
            if let index = state.trackers.index(forKey: database) {
                state.trackers.values[index].recordWrite(lsn, for: key, now: now)
            } else {
                var tracker = ConsistencyTracker()
                tracker.recordWrite(lsn, for: key, now: now)
                state.trackers[database] = tracker
            }
        }
    }

    /// The session ended: its own scope needs no memory any more.
    func forget(_ key: ConsistencyKey, database: String) {
        guard case .session = key else { return }
        state.withLockedValue { $0.trackers[database]?.forget(key) }
    }

    // MARK: Health

    /// An on-demand check found the replica replayed up to `lsn`.
    func replayObserved(_ node: NodeID, lsn: LSN) {
        let now = self.now()
        state.withLockedValue { $0.router.topology.replayObserved(node, lsn: lsn, now: now) }
    }

    func probeSucceeded(_ node: NodeID, _ result: ProbeResult) {
        let now = self.now()
        log(state.withLockedValue { $0.router.topology.probeSucceeded(node, result, now: now) })
    }

    func nodeFailed(_ node: NodeID, _ failure: NodeFailure) {
        let now = self.now()
        log(state.withLockedValue { $0.router.topology.nodeFailed(node, failure, now: now) })
    }

    /// Takes down nodes whose checks stopped succeeding, and forgets old read-your-writes scopes.
    func tick() {
        let now = self.now()
        log(state.withLockedValue { state in
            for name in state.trackers.keys { state.trackers[name]?.expire(now: now) }
            return state.router.topology.tick(now: now)
        })
    }

    /// Per-node figures: role, health, lag, reads and writes routed, connections in use.
    func stats() -> [NodeStats] {
        state.withLockedValue { $0.router.stats() }
    }

    private func log(_ update: TopologyUpdate) {
        for event in update.events {
            if event.isAlarm {
                logger.error("\(event)", metadata: ["node": "\(event.name)"])
            } else {
                logger.info("\(event)", metadata: ["node": "\(event.name)"])
            }
        }
    }
}

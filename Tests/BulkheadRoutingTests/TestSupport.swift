// Shared test fixtures: an injected clock and a three-node cluster brought up by probes.

import BulkheadRouting
import XCTest

typealias Instant = ContinuousClock.Instant

/// The instant every test's clock starts from; tests only ever use offsets from it.
let epoch = ContinuousClock.now

func at(_ seconds: Double) -> Instant {
    epoch.advanced(by: .milliseconds(Int64((seconds * 1000).rounded())))
}

let primaryNode = NodeID(0)
let replica1 = NodeID(1)
let replica2 = NodeID(2)

/// True when the statement went to one of the replicas b and c.
func isReplica(_ target: RouteTarget) -> Bool {
    target == .node(replica1) || target == .node(replica2)
}

/// One check interval of one second, lag limit ten seconds, writes wait five seconds for a primary.
let testSettings = TopologySettings(
    healthCheckInterval: .seconds(1), maxReplicaLag: .seconds(10), primaryWaitTimeout: .seconds(5)
)

/// Nodes a (primary), b and c (replicas), with the given roles and weights, not yet checked.
func makeTopology(
    roles: [ConfiguredRole] = [.primary, .replica, .replica], weights: [Int] = [1, 1, 1],
    settings: TopologySettings = testSettings
) -> Topology {
    let names = ["a", "b", "c"]
    let nodes = zip(roles, weights).enumerated().map { index, pair in
        RoutingNode(name: names[index], role: pair.0, weight: pair.1)
    }
    return Topology(nodes: nodes, settings: settings)
}

/// A topology where node a is the primary at `wal` and the replicas have replayed `replay`.
func healthyTopology(
    roles: [ConfiguredRole] = [.primary, .replica, .replica], weights: [Int] = [1, 1, 1],
    wal: LSN = LSN(1000), replay: LSN = LSN(1000), now: Instant = at(0)
) -> Topology {
    var topology = makeTopology(roles: roles, weights: weights)
    _ = topology.probeSucceeded(primaryNode, .primary(walLSN: wal), now: now)
    _ = topology.probeSucceeded(replica1, .replica(replayLSN: replay, lag: .zero), now: now)
    _ = topology.probeSucceeded(replica2, .replica(replayLSN: replay, lag: .zero), now: now)
    return topology
}

/// The changes of an update, without node IDs, for compact assertions.
func changes(_ update: TopologyUpdate) -> [String: [TopologyEvent.Change]] {
    Dictionary(grouping: update.events, by: \.name).mapValues { $0.map(\.change) }
}

extension Router {
    /// Routes with a fixed seed and a fresh session unless told otherwise; for tests that only look at the target.
    mutating func target(
        _ statement: StatementFacts, session: inout RoutingSession, policy: RoutingPolicy = RoutingPolicy(),
        requirement: ReadRequirement? = nil, waitingSince: Instant? = nil, now: Instant = at(0), seed: UInt64 = 1
    ) -> RouteTarget {
        var random = RoutingRandom(seed: seed)
        return route(
            statement, session: &session, policy: policy, requirement: requirement, waitingSince: waitingSince,
            now: now, using: &random
        ).target
    }
}

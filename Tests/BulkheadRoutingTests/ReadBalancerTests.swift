// Read balancing: shares by weight, preference for less loaded nodes, weight 0, and the primary as a read target.

import BulkheadRouting
import XCTest

final class ReadBalancerTests: XCTestCase {
    func picks(_ candidates: [ReadCandidate], count: Int = 60_000, seed: UInt64 = 7) -> [NodeID: Int] {
        var random = RoutingRandom(seed: seed)
        var tally: [NodeID: Int] = [:]
        for _ in 0..<count {
            guard let chosen = ReadBalancer.pick(from: candidates, using: &random) else { continue }
            tally[chosen.node, default: 0] += 1
        }
        return tally
    }

    func testSharesFollowWeightsWhenLoadsAreEqual() {
        let tally = picks([
            ReadCandidate(node: NodeID(0), weight: 1, inUse: 0),
            ReadCandidate(node: NodeID(1), weight: 2, inUse: 0),
            ReadCandidate(node: NodeID(2), weight: 3, inUse: 0),
        ])
        XCTAssertEqual(Double(tally[NodeID(0), default: 0]), 10_000, accuracy: 400)
        XCTAssertEqual(Double(tally[NodeID(1), default: 0]), 20_000, accuracy: 400)
        XCTAssertEqual(Double(tally[NodeID(2), default: 0]), 30_000, accuracy: 400)
    }

    func testSharesFollowWeightsWhenLoadsAreProportionalToWeights() {
        let tally = picks([
            ReadCandidate(node: NodeID(0), weight: 1, inUse: 2),
            ReadCandidate(node: NodeID(1), weight: 3, inUse: 6),
        ], count: 40_000)
        XCTAssertEqual(Double(tally[NodeID(0), default: 0]), 10_000, accuracy: 400)
        XCTAssertEqual(Double(tally[NodeID(1), default: 0]), 30_000, accuracy: 400)
    }

    func testPrefersTheLessLoadedNode() {
        let two = picks([
            ReadCandidate(node: NodeID(0), weight: 1, inUse: 10),
            ReadCandidate(node: NodeID(1), weight: 1, inUse: 3),
        ], count: 1000)
        XCTAssertEqual(two, [NodeID(1): 1000], "of two, the less loaded always wins")

        let three = picks([
            ReadCandidate(node: NodeID(0), weight: 1, inUse: 10),
            ReadCandidate(node: NodeID(1), weight: 1, inUse: 0),
            ReadCandidate(node: NodeID(2), weight: 1, inUse: 0),
        ], count: 30_000)
        XCTAssertNil(three[NodeID(0)], "the busiest never wins a pair")
        XCTAssertEqual(Double(three[NodeID(1), default: 0]), 15_000, accuracy: 500)
    }

    func testLoadIsWeighedPerUnitOfWeight() {
        // Node 1 holds more connections but has four times the weight: 4 per unit against 5.
        let tally = picks([
            ReadCandidate(node: NodeID(0), weight: 1, inUse: 5),
            ReadCandidate(node: NodeID(1), weight: 4, inUse: 16),
        ], count: 1000)
        XCTAssertEqual(tally, [NodeID(1): 1000])
    }

    func testWeightZeroIsALastResort() {
        let tally = picks([
            ReadCandidate(node: NodeID(0), weight: 0, inUse: 0),
            ReadCandidate(node: NodeID(1), weight: 1, inUse: 50),
        ], count: 1000)
        XCTAssertEqual(tally, [NodeID(1): 1000], "even busy, a weighted node beats a weight-0 one")

        let allZero = picks([
            ReadCandidate(node: NodeID(0), weight: 0, inUse: 0),
            ReadCandidate(node: NodeID(1), weight: 0, inUse: 0),
        ], count: 10_000)
        XCTAssertEqual(Double(allZero[NodeID(0), default: 0]), 5000, accuracy: 300)
    }

    func testPicksAreReproducibleFromTheSeed() {
        let candidates = (0..<4).map { ReadCandidate(node: NodeID($0), weight: $0 + 1, inUse: $0 % 2) }
        func sequence(seed: UInt64) -> [NodeID] {
            var random = RoutingRandom(seed: seed)
            return (0..<50).compactMap { _ in ReadBalancer.pick(from: candidates, using: &random)?.node }
        }
        XCTAssertEqual(sequence(seed: 3), sequence(seed: 3))
        XCTAssertNotEqual(sequence(seed: 3), sequence(seed: 4))
    }

    func testNoCandidateGivesNothingAndOneGivesItself() {
        var random = RoutingRandom(seed: 1)
        XCTAssertNil(ReadBalancer.pick(from: [ReadCandidate](), using: &random))
        let only = ReadCandidate(node: NodeID(5), weight: 0, inUse: 99)
        XCTAssertEqual(ReadBalancer.pick(from: [only], using: &random), only)
    }

    func testRouterSpreadsReadsOverReplicasByWeightAndNotThePrimary() {
        var router = Router(topology: healthyTopology(weights: [5, 1, 3]))
        var random = RoutingRandom(seed: 11)
        var session = RoutingSession()
        for _ in 0..<8000 {
            _ = router.route(.read, session: &session, policy: RoutingPolicy(), now: at(0), using: &random)
        }
        let reads = router.stats().map(\.readsRouted)
        XCTAssertEqual(reads[0], 0, "primary_reads is off")
        XCTAssertEqual(Double(reads[1]), 2000, accuracy: 200)
        XCTAssertEqual(Double(reads[2]), 6000, accuracy: 200)
    }

    func testPrimaryTakesItsShareWithPrimaryReads() {
        var router = Router(topology: healthyTopology(weights: [2, 1, 1]))
        var random = RoutingRandom(seed: 12)
        var session = RoutingSession()
        let policy = RoutingPolicy(primaryReads: true)
        for _ in 0..<8000 {
            _ = router.route(.read, session: &session, policy: policy, now: at(0), using: &random)
        }
        XCTAssertEqual(Double(router.stats()[0].readsRouted), 4000, accuracy: 250)
    }

    func testRouterPrefersTheReplicaWithFewerConnections() {
        var router = Router(topology: healthyTopology())
        router.setConnectionsInUse(8, on: replica1)
        router.setConnectionsInUse(1, on: replica2)
        var session = RoutingSession()
        for seed in 0..<100 as Range<UInt64> {
            XCTAssertEqual(router.target(.read, session: &session, seed: seed), .node(replica2))
        }
    }

    func testReadsFallBackToThePrimaryWhenNoReplicaIsHealthy() {
        var router = Router(topology: healthyTopology())
        _ = router.topology.nodeFailed(replica1, .connectFailed("refused"), now: at(1))
        _ = router.topology.probeSucceeded(replica2, .replica(replayLSN: LSN(1), lag: .seconds(60)), now: at(1))
        var session = RoutingSession()
        XCTAssertEqual(router.target(.read, session: &session, now: at(1)), .node(primaryNode))
        _ = router.topology.probeSucceeded(replica2, .replica(replayLSN: LSN(1000), lag: .zero), now: at(2))
        XCTAssertEqual(router.target(.read, session: &session, now: at(2)), .node(replica2))
    }
}

// Read-your-writes, interleaving by interleaving: freshness checks, spacing, scopes and eventual mode.

import BulkheadRouting
import XCTest

final class ReadYourWritesTests: XCTestCase {
    /// Replica b keeps up within milliseconds; replica c is slowed by two seconds but within max_replica_lag.
    func harness(policy: RoutingPolicy = RoutingPolicy(), seed: UInt64 = 1) -> ReadYourWritesHarness {
        ReadYourWritesHarness(
            seed: seed, delays: [replica1: .milliseconds(2), replica2: .seconds(2)], policy: policy
        )
    }

    func testAReadRightAfterAWriteChecksAReplicaFirst() {
        var sim = harness()
        sim.advance(by: .milliseconds(100))
        sim.write(0)
        let requirement = sim.tracker.requirement(for: .session(0))
        var session = sim.sessions[0]
        var random = RoutingRandom(seed: 1)
        let decision = sim.router.route(
            .read, session: &session, policy: sim.policy, requirement: requirement, now: sim.now, using: &random
        )
        XCTAssertEqual(decision.target, .checkReplica(replica1, needs: sim.cluster.wal), "both replicas were last seen before the write")

        sim.advance(by: .milliseconds(5))
        sim.read(0)
        XCTAssertEqual(sim.replicaReads[replica1], 1, "b has replayed the write by then")
        XCTAssertEqual(sim.violations, [])
    }

    func testAReplicaSeenBehindAfterTheWriteSendsTheReadToThePrimaryUntilTheSpacingPasses() {
        var sim = harness()
        sim.cluster.delays[replica1] = .seconds(3)
        sim.advance(by: .milliseconds(100))
        sim.write(0)
        let requirement = sim.tracker.requirement(for: .session(0))
        sim.router.topology.replayObserved(replica1, lsn: sim.cluster.replay(of: replica1, at: sim.now), now: sim.now)
        sim.router.topology.replayObserved(replica2, lsn: sim.cluster.replay(of: replica2, at: sim.now), now: sim.now)
        var session = RoutingSession()
        XCTAssertEqual(
            sim.router.target(.read, session: &session, requirement: requirement, now: sim.now.advanced(by: .milliseconds(9))),
            .node(primaryNode), "both were seen behind since the write: no point asking again yet"
        )
        XCTAssertEqual(
            sim.router.target(.read, session: &session, requirement: requirement, now: sim.now.advanced(by: .milliseconds(10))),
            .checkReplica(replica1, needs: sim.cluster.wal)
        )
    }

    func testAFreshProbeLetsTheReadGoStraightToTheReplica() {
        var sim = harness()
        sim.write(0)
        sim.advance(by: .seconds(1))  // a check round: b has replayed the write, c has not
        XCTAssertGreaterThanOrEqual(sim.router.topology[replica1].replayLSN ?? .zero, sim.cluster.wal)
        let requirement = sim.tracker.requirement(for: .session(0))
        var session = RoutingSession()
        for seed in 0..<50 as Range<UInt64> {
            XCTAssertEqual(
                sim.router.target(.read, session: &session, requirement: requirement, now: sim.now, seed: seed),
                .node(replica1)
            )
        }
    }

    func testAnUnknownReplayPositionIsNeverFresh() {
        var router = Router(topology: healthyTopology())
        _ = router.topology.probeSucceeded(replica1, .replica(replayLSN: nil, lag: nil), now: at(1))
        _ = router.topology.nodeFailed(replica2, .probeFailed("down"), now: at(1))
        var session = RoutingSession()
        let requirement = ReadRequirement(lsn: LSN(1), recordedAt: at(0))
        XCTAssertEqual(
            router.target(.read, session: &session, requirement: requirement, now: at(1.001)), .node(primaryNode)
        )
    }

    func testSessionScopeLetsOtherSessionsReadAnywhere() {
        var sim = harness()
        sim.advance(by: .milliseconds(100))
        sim.write(0)
        var other = RoutingSession()
        let requirement = sim.tracker.requirement(for: sim.key(2))
        XCTAssertNil(requirement)
        var targets = Set<RouteTarget>()
        for seed in 0..<40 as Range<UInt64> {
            targets.insert(sim.router.target(.read, session: &other, requirement: requirement, now: sim.now, seed: seed))
        }
        XCTAssertEqual(targets, [.node(replica1), .node(replica2)])
    }

    func testTenantScopeMakesAnotherConnectionOfTheTenantSeeTheWrite() {
        var sim = harness(policy: RoutingPolicy(tenantScope: true))
        sim.advance(by: .milliseconds(100))
        sim.write(0)
        XCTAssertEqual(sim.key(2), .tenant("acme"))
        XCTAssertEqual(sim.tracker.requirement(for: sim.key(2))?.lsn, sim.cluster.wal)
        XCTAssertNil(sim.tracker.requirement(for: sim.key(1)), "another tenant is not held back")
        for _ in 0..<20 {
            sim.advance(by: .milliseconds(1))
            sim.read(2)
        }
        XCTAssertGreaterThan(sim.replicaReads[replica1, default: 0], 0, "b serves once it has replayed the write")
        XCTAssertEqual(sim.replicaReads[replica2], nil, "the slowed replica never serves the tenant's read")
        XCTAssertEqual(sim.violations, [])
    }

    func testEventualModeIgnoresWritesAndReadsFromAnyReplica() {
        let policy = RoutingPolicy(readYourWrites: false)
        var router = Router(topology: healthyTopology(replay: LSN(10)))
        var session = RoutingSession()
        var random = RoutingRandom(seed: 5)
        let write = router.route(.write, session: &session, policy: policy, now: at(1), using: &random)
        XCTAssertFalse(write.learnsWriteLSN, "nothing to learn when reads do not wait for writes")
        let stale = ReadRequirement(lsn: LSN(1000), recordedAt: at(1))
        var targets = Set<RouteTarget>()
        for seed in 0..<40 as Range<UInt64> {
            targets.insert(router.target(.read, session: &session, policy: policy, requirement: stale, now: at(1), seed: seed))
        }
        XCTAssertEqual(targets, [.node(replica1), .node(replica2)])
    }

    func testWritesAskToLearnTheirPositionOnlyWhenRoutingCanSplit() {
        var router = Router(topology: healthyTopology())
        var session = RoutingSession()
        var random = RoutingRandom(seed: 5)
        let split = router.route(.write, session: &session, policy: RoutingPolicy(), now: at(1), using: &random)
        XCTAssertTrue(split.learnsWriteLSN)
        let unsplit = router.route(.write, session: &session, policy: RoutingPolicy(readWriteSplit: false), now: at(1), using: &random)
        XCTAssertFalse(unsplit.learnsWriteLSN)
        let read = router.route(.read, session: &session, policy: RoutingPolicy(), now: at(1), using: &random)
        XCTAssertFalse(read.learnsWriteLSN)
    }
}

// Routing of single statements: reads and writes, hints, session overrides, read_write_split and waiting for a primary.

import BulkheadRouting
import XCTest

final class StatementRoutingTests: XCTestCase {
    var router = Router(topology: healthyTopology())
    var session = RoutingSession()

    func testReadsGoToReplicasAndWritesToThePrimary() {
        XCTAssertTrue(isReplica(router.target(.read, session: &session)))
        XCTAssertEqual(router.target(.write, session: &session), .node(primaryNode))
    }

    func testTheHintSendsOneReadToThePrimary() {
        let hinted = StatementFacts(isReadOnly: true, forcesPrimary: true)
        XCTAssertEqual(router.target(hinted, session: &session), .node(primaryNode))
        XCTAssertTrue(isReplica(router.target(.read, session: &session)), "only that statement")
    }

    func testRouteOverridePrimarySendsEverythingToThePrimary() {
        session.override = .primary
        XCTAssertEqual(router.target(.read, session: &session), .node(primaryNode))
        XCTAssertEqual(router.target(.control(.begin(readOnly: true)), session: &session), .node(primaryNode))
        XCTAssertEqual(router.target(.read, session: &session), .node(primaryNode))
    }

    func testRouteOverrideReplicaSendsEverythingToAReplica() {
        session.override = .replica
        XCTAssertTrue(isReplica(router.target(.write, session: &session)), "PostgreSQL itself refuses the write there")
        let begin = router.target(.control(.begin(readOnly: nil)), session: &session)
        XCTAssertTrue(isReplica(begin), "nothing to decide later: the transaction starts on a replica")
        XCTAssertEqual(router.target(.write, session: &session), begin)
    }

    func testRouteOverrideReplicaFailsWhenNoReplicaIsHealthy() {
        _ = router.topology.nodeFailed(replica1, .probeFailed("x"), now: at(0))
        _ = router.topology.nodeFailed(replica2, .probeFailed("x"), now: at(0))
        session.override = .replica
        XCTAssertEqual(router.target(.read, session: &session), .fail(.noReplica))
        session.override = .auto
        XCTAssertEqual(router.target(.read, session: &session), .node(primaryNode))
    }

    func testTheOverrideAppliesFromTheNextTransaction() {
        _ = router.target(.control(.begin(readOnly: nil)), session: &session)
        _ = router.target(.write, session: &session)
        session.override = .replica
        XCTAssertEqual(router.target(.read, session: &session), .node(primaryNode))
    }

    func testRouteOverrideParsesLikeAPostgresEnumSetting() {
        XCTAssertEqual(RouteOverride(settingValue: "Primary"), .primary)
        XCTAssertEqual(RouteOverride(settingValue: "REPLICA"), .replica)
        XCTAssertEqual(RouteOverride(settingValue: "auto"), .auto)
        XCTAssertNil(RouteOverride(settingValue: "standby"))
        XCTAssertNil(RouteOverride(settingValue: ""))
        XCTAssertEqual(RouteOverride.settingName, "bulkhead.route")
    }

    func testWithoutReadWriteSplitEverythingGoesToThePrimary() {
        let policy = RoutingPolicy(readWriteSplit: false, primaryReads: false)
        for seed in 0..<20 as Range<UInt64> {
            XCTAssertEqual(router.target(.read, session: &session, policy: policy, seed: seed), .node(primaryNode))
        }
    }

    func testWritesWaitForAPrimaryThenGoThere() {
        _ = router.topology.nodeFailed(primaryNode, .connectionBroken("EOF"), now: at(1))
        XCTAssertEqual(router.target(.write, session: &session, now: at(1)), .wait(until: at(6)))
        XCTAssertTrue(isReplica(router.target(.read, session: &session, now: at(1))), "reads carry on")
        let back = router.topology.probeSucceeded(primaryNode, .primary(walLSN: LSN(2000)), now: at(2))
        XCTAssertTrue(back.primaryChanged, "the owner routes waiting writes again")
        XCTAssertEqual(router.target(.write, session: &session, waitingSince: at(1), now: at(2)), .node(primaryNode))
    }

    func testWritesFailClearlyAfterThePrimaryWaitTimeout() {
        _ = router.topology.nodeFailed(primaryNode, .probeFailed("connection refused"), now: at(1))
        XCTAssertEqual(router.target(.write, session: &session, waitingSince: at(1), now: at(5.999)), .wait(until: at(6)))
        let failed = router.target(.write, session: &session, waitingSince: at(1), now: at(6))
        guard case .fail(let error) = failed else { return XCTFail("expected a failure, got \(failed)") }
        XCTAssertEqual(error.sqlState, "57P03")
        XCTAssertEqual(
            error.description,
            "no primary available after waiting 5 s: no node reports being a primary "
                + "(a: down (health check failed: connection refused); b: in recovery; c: in recovery)"
        )
    }

    func testAWaitingReadAfterAWriteIsRetriedWhenAReplicaIsWorthCheckingAgain() {
        _ = router.topology.nodeFailed(primaryNode, .probeFailed("gone"), now: at(1))
        router.topology.replayObserved(replica1, lsn: LSN(1000), now: at(1))
        router.topology.replayObserved(replica2, lsn: LSN(1000), now: at(1.004))
        let requirement = ReadRequirement(lsn: LSN(2000), recordedAt: at(0.5))
        XCTAssertEqual(
            router.target(.read, session: &session, requirement: requirement, now: at(1.005)),
            .wait(until: at(1.01)), "b may be asked again 10 ms after its last answer"
        )
    }

    func testStatsCountReadsAndWritesPerNode() {
        for seed in 0..<10 as Range<UInt64> { _ = router.target(.read, session: &session, seed: seed) }
        _ = router.target(.write, session: &session)
        let stats = router.stats()
        XCTAssertEqual(stats[1].readsRouted + stats[2].readsRouted, 10)
        XCTAssertEqual(stats[0].writesRouted, 1)
        XCTAssertEqual(stats[0].readsRouted, 0)
    }
}

// Node health transitions: first checks, replicas going down and up, lag, pool failures and stale checks.

import BulkheadRouting
import XCTest

final class TopologyHealthTests: XCTestCase {
    func testNothingIsRoutableBeforeTheFirstChecks() {
        let topology = makeTopology()
        XCTAssertNil(topology.primary)
        XCTAssertEqual(topology.replicas, [])
        XCTAssertEqual(topology[replica1].status, .unknown)
    }

    func testFirstChecksBringNodesUpAndElectThePrimary() {
        var topology = makeTopology()
        let first = topology.probeSucceeded(primaryNode, .primary(walLSN: LSN(100)), now: at(0))
        XCTAssertEqual(changes(first)["a"], [.up(.primary), .promoted(previous: nil)])
        XCTAssertTrue(first.primaryChanged)
        XCTAssertEqual(topology.primary, primaryNode)
        let second = topology.probeSucceeded(replica1, .replica(replayLSN: LSN(100), lag: .zero), now: at(0))
        XCTAssertEqual(changes(second)["b"], [.up(.replica)])
        XCTAssertTrue(second.rotationChanged)
        XCTAssertEqual(topology.replicas, [replica1])
    }

    func testReplicaGoesDownAndComesBack() {
        var topology = healthyTopology()
        let down = topology.nodeFailed(replica1, .probeFailed("connection refused"), now: at(1))
        XCTAssertEqual(changes(down)["b"], [.down(.probeFailed("connection refused"))])
        XCTAssertEqual(down.nodesDown, [replica1])
        XCTAssertEqual(topology.replicas, [replica2])
        XCTAssertEqual(topology.primary, primaryNode, "a replica failing leaves the primary alone")

        let again = topology.nodeFailed(replica1, .probeTimedOut(.seconds(1)), now: at(2))
        XCTAssertEqual(again.events, [], "a node already down is not reported again")

        let up = topology.probeSucceeded(replica1, .replica(replayLSN: LSN(1000), lag: .zero), now: at(3))
        XCTAssertEqual(changes(up)["b"], [.up(.replica)])
        XCTAssertEqual(topology.replicas, [replica1, replica2])
    }

    func testPoolFailuresTakeANodeOutAtOnce() {
        var topology = healthyTopology()
        let refused = topology.nodeFailed(replica2, .connectFailed("ECONNREFUSED"), now: at(0.1))
        XCTAssertEqual(refused.nodesDown, [replica2])
        XCTAssertEqual(topology.replicas, [replica1])
        let broken = topology.nodeFailed(primaryNode, .connectionBroken("EOF"), now: at(0.2))
        XCTAssertEqual(changes(broken)["a"], [.down(.connectionBroken("EOF")), .primaryLost])
        XCTAssertNil(topology.primary)
        XCTAssertTrue(broken.primaryChanged)
    }

    func testLagAboveTheLimitTakesAReplicaOutAndBelowBringsItBack() {
        var topology = healthyTopology()
        _ = topology.probeSucceeded(primaryNode, .primary(walLSN: LSN(9000)), now: at(1))
        let behind = topology.probeSucceeded(replica1, .replica(replayLSN: LSN(2000), lag: .seconds(11)), now: at(1))
        XCTAssertEqual(changes(behind)["b"], [.lagging(.seconds(11))])
        XCTAssertEqual(topology[replica1].status, .lagging)
        XCTAssertEqual(topology.replicas, [replica2])

        let atLimit = topology.probeSucceeded(replica1, .replica(replayLSN: LSN(5000), lag: .seconds(10)), now: at(2))
        XCTAssertEqual(changes(atLimit)["b"], [.recovered], "exactly max_replica_lag is still acceptable")
        XCTAssertEqual(topology.replicas, [replica1, replica2])
    }

    func testAnIdlePrimaryDoesNotMakeACaughtUpReplicaLookLate() {
        var topology = healthyTopology()
        // No transaction for a minute: the replay timestamp is old, but nothing is left to replay.
        let update = topology.probeSucceeded(replica1, .replica(replayLSN: LSN(1000), lag: .seconds(60)), now: at(60))
        XCTAssertEqual(update.events, [])
        XCTAssertEqual(topology[replica1].status, .up)
        XCTAssertEqual(topology[replica1].replayLag, .zero)
    }

    func testAReplicaThatComesBackLaggingIsReportedUpThenLagging() {
        var topology = healthyTopology()
        _ = topology.nodeFailed(replica1, .probeFailed("gone"), now: at(1))
        _ = topology.probeSucceeded(primaryNode, .primary(walLSN: LSN(5000)), now: at(2))
        let update = topology.probeSucceeded(replica1, .replica(replayLSN: LSN(1000), lag: .seconds(30)), now: at(2))
        XCTAssertEqual(changes(update)["b"], [.up(.replica), .lagging(.seconds(30))])
        XCTAssertFalse(topology.replicas.contains(replica1))
    }

    func testAFirstCheckThatFailsIsReported() {
        var topology = makeTopology()
        let update = topology.nodeFailed(replica2, .probeFailed("no route to host"), now: at(0))
        XCTAssertEqual(changes(update)["c"], [.down(.probeFailed("no route to host"))])
    }

    func testTickTakesDownNodesWhoseChecksStopped() {
        var topology = healthyTopology()
        _ = topology.probeSucceeded(primaryNode, .primary(walLSN: LSN(1000)), now: at(2))
        _ = topology.probeSucceeded(replica2, .replica(replayLSN: LSN(1000), lag: .zero), now: at(2))
        XCTAssertEqual(topology.tick(now: at(2.9)).events, [], "three intervals have not passed yet")
        let update = topology.tick(now: at(3))
        XCTAssertEqual(changes(update)["b"], [.down(.unconfirmed(.seconds(3)))])
        XCTAssertEqual(topology.replicas, [replica2])
        XCTAssertEqual(topology.primary, primaryNode)
    }

    func testEventsReadWellInTheLog() {
        var topology = healthyTopology()
        let down = topology.nodeFailed(replica1, .connectFailed("connection refused"), now: at(1))
        XCTAssertEqual(down.events.map(\.description), ["node b is down: connection failed: connection refused"])
        XCTAssertFalse(down.events[0].isAlarm)
        let lagging = topology.probeSucceeded(replica2, .replica(replayLSN: LSN(10), lag: .milliseconds(12_500)), now: at(1))
        XCTAssertEqual(
            lagging.events.map(\.description),
            ["node c is lagging 12.5 s behind; out of rotation until it catches up"]
        )
        let lost = topology.nodeFailed(primaryNode, .probeTimedOut(.milliseconds(500)), now: at(2))
        XCTAssertEqual(lost.events.map(\.description), [
            "node a is down: health check timed out after 0.5 s",
            "node a is no longer the primary; writes wait for one",
        ])
        XCTAssertTrue(lost.events[1].isAlarm)
    }

    func testStatsShowRoleHealthLagAndLoad() {
        var router = Router(topology: healthyTopology(wal: LSN(5000), replay: LSN(1000)))
        _ = router.topology.probeSucceeded(replica1, .replica(replayLSN: LSN(4000), lag: .seconds(2)), now: at(1))
        router.setConnectionsInUse(3, on: replica1)
        var session = RoutingSession()
        _ = router.target(.write, session: &session)
        _ = router.target(.write, session: &session)
        let stats = router.stats()
        XCTAssertEqual(stats.map(\.name), ["a", "b", "c"])
        XCTAssertEqual(stats[0].observedRole, .primary)
        XCTAssertTrue(stats[0].isPrimary)
        XCTAssertEqual(stats[0].writesRouted, 2)
        XCTAssertNil(stats[0].lagBytes)
        XCTAssertEqual(stats[1].status, .up)
        XCTAssertTrue(stats[1].inRotation)
        XCTAssertEqual(stats[1].lagBytes, 1000)
        XCTAssertEqual(stats[1].lagSeconds, .seconds(2))
        XCTAssertEqual(stats[1].connectionsInUse, 3)
        XCTAssertEqual(stats[2].lagBytes, 4000)
    }
}

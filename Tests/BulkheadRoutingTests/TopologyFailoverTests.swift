// Roles and failover: auto roles, promotion after the primary fails, contested claims, split brain, role conflicts.

import BulkheadRouting
import XCTest

final class TopologyFailoverTests: XCTestCase {
    let autoRoles: [ConfiguredRole] = [.auto, .auto, .auto]

    func testAutoNodesAreClassifiedByRecovery() {
        var topology = makeTopology(roles: autoRoles)
        _ = topology.probeSucceeded(replica2, .primary(walLSN: LSN(10)), now: at(0))
        _ = topology.probeSucceeded(primaryNode, .replica(replayLSN: LSN(10), lag: .zero), now: at(0))
        _ = topology.probeSucceeded(replica1, .replica(replayLSN: LSN(10), lag: .zero), now: at(0))
        XCTAssertEqual(topology.primary, replica2, "the node out of recovery is the primary, whatever its position")
        XCTAssertEqual(topology.replicas, [primaryNode, replica1])
    }

    func testPromotionIsRecognisedInTheFirstRoundAfterThePrimaryFails() {
        var topology = healthyTopology(roles: autoRoles)
        // The primary dies at 0.4 s and b is promoted at 0.7 s; the next check round runs at 1 s.
        let failure = topology.nodeFailed(primaryNode, .probeFailed("connection refused"), now: at(1))
        XCTAssertNil(topology.primary)
        XCTAssertTrue(failure.primaryChanged)
        let promotion = topology.probeSucceeded(replica1, .primary(walLSN: LSN(1200)), now: at(1.01))
        XCTAssertEqual(topology.primary, replica1, "found within one interval of the failure being seen")
        XCTAssertTrue(promotion.primaryChanged)
        XCTAssertEqual(changes(promotion)["b"], [.promoted(previous: "a")])
        XCTAssertEqual(promotion.events.last?.description, "node b is the primary now (was a)")
        XCTAssertEqual(topology.replicas, [replica2], "the promoted node leaves the read rotation")
    }

    func testPromotionSeenBeforeTheOldPrimarysFailureWaitsInsteadOfCryingSplitBrain() {
        var topology = healthyTopology(roles: autoRoles)
        // Same round, other order: b's answer arrives before a's check times out.
        let claim = topology.probeSucceeded(replica1, .primary(walLSN: LSN(1200)), now: at(1))
        XCTAssertEqual(topology.primaryState, .contested(claimants: [primaryNode, replica1]))
        XCTAssertNil(topology.primary, "writes wait rather than go to either node")
        XCTAssertEqual(changes(claim)["b"], [.contested(incumbents: ["a"])])
        XCTAssertFalse(claim.events.contains { $0.isAlarm })

        let timeout = topology.nodeFailed(primaryNode, .probeTimedOut(.milliseconds(500)), now: at(1.5))
        XCTAssertEqual(topology.primary, replica1)
        XCTAssertEqual(changes(timeout)["b"], [.promoted(previous: "a")])
        XCTAssertFalse(timeout.events.contains { if case .splitBrain = $0.change { return true } else { return false } })
    }

    func testTwoConfirmedPrimariesAreASplitBrainAndWritesAreRefused() {
        var router = Router(topology: healthyTopology(roles: autoRoles))
        _ = router.topology.probeSucceeded(replica1, .primary(walLSN: LSN(1200)), now: at(1))
        let confirmed = router.topology.probeSucceeded(primaryNode, .primary(walLSN: LSN(1300)), now: at(1.01))
        XCTAssertEqual(router.topology.primaryState, .splitBrain(claimants: [primaryNode, replica1]))
        let alarm = try? XCTUnwrap(confirmed.events.first { $0.isAlarm })
        XCTAssertEqual(alarm?.change, .splitBrain(others: ["a"]))
        XCTAssertEqual(
            alarm?.description,
            "SPLIT BRAIN: node b and node a all claim to be primary; writes are refused until only one does"
        )

        var session = RoutingSession()
        let write = router.target(.write, session: &session, now: at(1.02))
        XCTAssertEqual(write, .fail(.splitBrain(nodes: ["a", "b"])))
        XCTAssertEqual(RoutingError.splitBrain(nodes: ["a", "b"]).sqlState, "57P03")
        XCTAssertEqual(router.target(.read, session: &session, now: at(1.02)), .node(replica2), "reads still go to c")

        _ = router.topology.probeSucceeded(primaryNode, .primary(walLSN: LSN(1400)), now: at(2))
        XCTAssertEqual(router.topology.primaryState, .splitBrain(claimants: [primaryNode, replica1]), "stays until one yields")
        let resolved = router.topology.nodeFailed(replica1, .probeFailed("stopped"), now: at(3))
        XCTAssertEqual(router.topology.primary, primaryNode)
        XCTAssertEqual(changes(resolved)["a"], [.splitBrainEnded(others: ["b"]), .promoted(previous: nil)])
        XCTAssertEqual(router.target(.write, session: &session, now: at(3)), .node(primaryNode))
    }

    func testTwoPrimariesAtStartupAreASplitBrainOnceBothAreSeenTwice() {
        var topology = makeTopology(roles: autoRoles)
        _ = topology.probeSucceeded(primaryNode, .primary(walLSN: LSN(1)), now: at(0))
        _ = topology.probeSucceeded(replica1, .primary(walLSN: LSN(1)), now: at(0.01))
        XCTAssertEqual(topology.primaryState, .contested(claimants: [primaryNode, replica1]))
        _ = topology.probeSucceeded(primaryNode, .primary(walLSN: LSN(1)), now: at(1))
        XCTAssertEqual(topology.primaryState, .splitBrain(claimants: [primaryNode, replica1]))
    }

    func testADemotedAutoPrimaryJoinsTheRotation() {
        var topology = healthyTopology(roles: autoRoles)
        let update = topology.probeSucceeded(primaryNode, .replica(replayLSN: LSN(1000), lag: .zero), now: at(1))
        XCTAssertEqual(changes(update)["a"], [.demoted, .primaryLost])
        XCTAssertNil(topology.primary)
        XCTAssertEqual(topology.replicas, [primaryNode, replica1, replica2])
    }

    func testTheOldPrimaryReturningAsAReplicaAfterFailoverJoinsTheRotation() {
        var topology = healthyTopology(roles: autoRoles)
        _ = topology.nodeFailed(primaryNode, .probeFailed("down"), now: at(1))
        _ = topology.probeSucceeded(replica1, .primary(walLSN: LSN(2000)), now: at(1))
        let back = topology.probeSucceeded(primaryNode, .replica(replayLSN: LSN(2000), lag: .zero), now: at(30))
        XCTAssertEqual(changes(back)["a"], [.up(.replica)])
        XCTAssertEqual(topology.primary, replica1)
        XCTAssertEqual(topology.replicas, [primaryNode, replica2])
    }

    func testAFixedReplicaThatIsPromotedGetsNoWritesAndSaysWhy() {
        var router = Router(topology: healthyTopology())
        _ = router.topology.nodeFailed(primaryNode, .probeFailed("down"), now: at(1))
        let promoted = router.topology.probeSucceeded(replica1, .primary(walLSN: LSN(2000)), now: at(1))
        XCTAssertEqual(changes(promoted)["b"], [.roleConflict(configured: .replica, observed: .primary)])
        XCTAssertTrue(promoted.events[0].isAlarm)
        XCTAssertNil(router.topology.primary)
        XCTAssertEqual(router.topology.replicas, [replica2])

        var session = RoutingSession()
        XCTAssertEqual(router.target(.write, session: &session, now: at(1)), .wait(until: at(6)))
        guard case .fail(.noPrimary(let waited, let reason)) = router.target(
            .write, session: &session, waitingSince: at(1), now: at(6)
        ) else { return XCTFail("expected the write to fail after primary_wait_timeout") }
        XCTAssertEqual(waited, .seconds(5))
        XCTAssertTrue(reason.contains("node b reports being a primary but is configured as replica"), reason)
    }

    func testAFixedPrimaryInRecoveryGetsNoTraffic() {
        var topology = makeTopology()
        let update = topology.probeSucceeded(primaryNode, .replica(replayLSN: LSN(5), lag: .zero), now: at(0))
        XCTAssertEqual(changes(update)["a"], [.up(.replica), .roleConflict(configured: .primary, observed: .replica)])
        XCTAssertNil(topology.primary)
        XCTAssertEqual(topology.replicas, [])
        guard case .absent(let reason) = topology.primaryState else { return XCTFail("expected no primary") }
        XCTAssertTrue(reason.contains("a: in recovery but configured as primary"), reason)
        XCTAssertTrue(reason.contains("b: not checked yet"), reason)
    }
}

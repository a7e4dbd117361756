// The read-your-writes tracker: per-scope positions, tenant sharing, forgetting, and bounded memory via the floor.

import BulkheadRouting
import XCTest

final class ConsistencyTrackerTests: XCTestCase {
    func testRemembersTheHighestWritePerScope() {
        var tracker = ConsistencyTracker()
        XCTAssertNil(tracker.requirement(for: .session(1)))
        tracker.recordWrite(LSN(500), for: .session(1), now: at(1))
        tracker.recordWrite(LSN(300), for: .session(1), now: at(2))
        XCTAssertEqual(tracker.requirement(for: .session(1)), ReadRequirement(lsn: LSN(500), recordedAt: at(2)))
        XCTAssertNil(tracker.requirement(for: .session(2)), "another session has nothing to wait for")
    }

    func testTenantScopeIsSharedBetweenSessionsAndSessionScopeIsNot() {
        var tracker = ConsistencyTracker()
        let perTenant = RoutingPolicy(tenantScope: true)
        let perSession = RoutingPolicy()
        tracker.recordWrite(LSN(700), for: perTenant.consistencyKey(session: 1, tenant: "acme"), now: at(1))
        XCTAssertEqual(tracker.requirement(for: perTenant.consistencyKey(session: 2, tenant: "acme"))?.lsn, LSN(700))
        XCTAssertNil(tracker.requirement(for: perTenant.consistencyKey(session: 3, tenant: "globex")))
        XCTAssertEqual(perTenant.consistencyKey(session: 4, tenant: nil), .session(4), "no tenant: own scope")
        XCTAssertEqual(perSession.consistencyKey(session: 1, tenant: "acme"), .session(1))
    }

    func testForgettingAnEndedSessionDropsIt() {
        var tracker = ConsistencyTracker()
        tracker.recordWrite(LSN(9), for: .session(1), now: at(0))
        tracker.forget(.session(1))
        XCTAssertNil(tracker.requirement(for: .session(1)))
        XCTAssertEqual(tracker.count, 0)
        XCTAssertNil(tracker.floor, "an ended session needs no floor")
    }

    func testBeyondCapacityTheOldestScopeFoldsIntoTheFloor() {
        var tracker = ConsistencyTracker(settings: ConsistencySettings(capacity: 2))
        tracker.recordWrite(LSN(100), for: .session(1), now: at(1))
        tracker.recordWrite(LSN(50), for: .session(2), now: at(2))
        tracker.recordWrite(LSN(60), for: .session(3), now: at(3))
        XCTAssertEqual(tracker.count, 2)
        XCTAssertEqual(tracker.floor, ReadRequirement(lsn: LSN(100), recordedAt: at(1)))
        XCTAssertEqual(tracker.requirement(for: .session(1))?.lsn, LSN(100), "the evicted session keeps its guarantee")
        XCTAssertEqual(tracker.requirement(for: .session(3))?.lsn, LSN(100), "the floor is stricter than its own write")
        XCTAssertEqual(tracker.requirement(for: .session(9))?.lsn, LSN(100))
    }

    func testARewrittenScopeIsNotEvictedByItsOldQueuePosition() {
        var tracker = ConsistencyTracker(settings: ConsistencySettings(capacity: 2))
        tracker.recordWrite(LSN(10), for: .session(1), now: at(1))
        tracker.recordWrite(LSN(20), for: .session(2), now: at(2))
        tracker.recordWrite(LSN(30), for: .session(1), now: at(3))
        tracker.recordWrite(LSN(40), for: .session(3), now: at(4))
        XCTAssertEqual(tracker.floor?.lsn, LSN(20), "session 2 was the least recently written")
        XCTAssertEqual(tracker.requirement(for: .session(1))?.lsn, LSN(30))
    }

    /// A scope that writes many times in a row keeps one queue slot, which moves with each write: the scope
    /// written before it is still the oldest, and a position learned out of order never lowers its requirement.
    func testRepeatedWritesOfOneScopeMoveItsSlot() {
        var tracker = ConsistencyTracker(settings: ConsistencySettings(capacity: 2))
        tracker.recordWrite(LSN(5), for: .session(2), now: at(0))
        for step in 1...1_000 { tracker.recordWrite(LSN(UInt64(10 + step)), for: .session(1), now: at(Double(step) / 1_000)) }
        tracker.recordWrite(LSN(3), for: .session(1), now: at(2))
        XCTAssertEqual(tracker.requirement(for: .session(1))?.lsn, LSN(1_010), "an older position arriving late changes nothing")
        tracker.recordWrite(LSN(7), for: .session(3), now: at(3))
        XCTAssertEqual(tracker.floor?.lsn, LSN(5), "session 2 was the least recently written")
        XCTAssertEqual(tracker.count, 2)
        XCTAssertEqual(tracker.requirement(for: .session(1))?.lsn, LSN(1_010))
    }

    func testScopesOlderThanTheRetentionFoldIntoTheFloor() {
        var tracker = ConsistencyTracker(settings: ConsistencySettings(retention: .seconds(60)))
        tracker.recordWrite(LSN(100), for: .tenant("acme"), now: at(0))
        tracker.recordWrite(LSN(200), for: .tenant("globex"), now: at(30))
        tracker.expire(now: at(59))
        XCTAssertEqual(tracker.count, 2)
        tracker.expire(now: at(60))
        XCTAssertEqual(tracker.count, 1)
        XCTAssertEqual(tracker.requirement(for: .tenant("acme"))?.lsn, LSN(100))
        XCTAssertEqual(tracker.requirement(for: .tenant("globex"))?.lsn, LSN(200))
    }

    func testManyWritesStayBoundedByCapacity() {
        var tracker = ConsistencyTracker(settings: ConsistencySettings(capacity: 100))
        for index in 0..<10_000 {
            tracker.recordWrite(LSN(UInt64(index)), for: .session(index % 250), now: at(Double(index) / 1000))
        }
        XCTAssertEqual(tracker.count, 100)
        for session in 0..<250 {
            let own = UInt64(9750 + session)
            XCTAssertGreaterThanOrEqual(tracker.requirement(for: .session(session))?.lsn ?? .zero, LSN(own))
        }
    }
}

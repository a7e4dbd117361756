// Unit tests of the pool state machine, driven with an injected clock so no test sleeps.

import BulkheadPool
import XCTest

final class PoolStateMachineTests: XCTestCase {
    let start = ContinuousClock.now

    func at(_ seconds: Double) -> ContinuousClock.Instant { start.advanced(by: .milliseconds(Int64(seconds * 1000))) }

    func testFirstRequestOpensAConnectionAndLeasesItWhenReady() {
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 2))
        let action = pool.request(1, loop: 0, now: at(0))
        XCTAssertEqual(action.connect.count, 1)
        XCTAssertTrue(action.leases.isEmpty)
        let id = action.connect[0].connection
        let ready = pool.connected(id, now: at(0.1))
        XCTAssertEqual(ready.leases, [Lease(request: 1, connection: id)])
        XCTAssertEqual(pool.holder(of: id), 1)
    }

    func testNeverOpensMoreThanMaxSizeAndQueuesTheRest() {
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 3))
        var connects = 0
        for request in 1...10 { connects += pool.request(request, loop: 0, now: at(0)).connect.count }
        XCTAssertEqual(connects, 3)
        let stats = pool.stats(now: at(1))
        XCTAssertEqual(stats.connecting, 3)
        XCTAssertEqual(stats.waiting, 10)
    }

    func testReleasedConnectionGoesToTheNextWaiterInOrder() {
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 1))
        let id = pool.request(1, loop: 0, now: at(0)).connect[0].connection
        _ = pool.request(2, loop: 0, now: at(0))
        _ = pool.request(3, loop: 0, now: at(0))
        XCTAssertEqual(pool.connected(id, now: at(0)).leases, [Lease(request: 1, connection: id)])
        XCTAssertEqual(pool.release(id, reusable: true, now: at(1)).leases, [Lease(request: 2, connection: id)])
        XCTAssertEqual(pool.release(id, reusable: true, now: at(2)).leases, [Lease(request: 3, connection: id)])
        let last = pool.release(id, reusable: true, now: at(3))
        XCTAssertTrue(last.leases.isEmpty)
        XCTAssertEqual(pool.stats(now: at(3)).idle, 1)
    }

    func testUnreusableConnectionIsClosedAndReplacedForWaiters() {
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 1))
        let id = pool.request(1, loop: 0, now: at(0)).connect[0].connection
        _ = pool.connected(id, now: at(0))
        _ = pool.request(2, loop: 0, now: at(0))
        let action = pool.release(id, reusable: false, now: at(1))
        XCTAssertEqual(action.close, [id])
        XCTAssertEqual(action.connect.count, 1, "the waiter needs a replacement")
        XCTAssertNotEqual(action.connect[0].connection, id)
    }

    func testQueueTimeoutFailsOnlyExpiredWaiters() {
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 1, queueTimeout: .seconds(5)))
        let id = pool.request(1, loop: 0, now: at(0)).connect[0].connection
        _ = pool.connected(id, now: at(0))
        _ = pool.request(2, loop: 0, now: at(1))
        _ = pool.request(3, loop: 0, now: at(4))
        XCTAssertTrue(pool.tick(now: at(5.5)).fail.isEmpty)
        let expired = pool.tick(now: at(6.5))
        XCTAssertEqual(expired.fail, [2: .queueTimeout(.seconds(5))])
        XCTAssertEqual(pool.stats(now: at(6.5)).waiting, 1)
    }

    func testConnectFailureFailsWaitersNothingElseWillServe() {
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 1))
        let id = pool.request(1, loop: 0, now: at(0)).connect[0].connection
        _ = pool.request(2, loop: 0, now: at(0))
        let action = pool.connectFailed(id, reason: "refused", now: at(1))
        XCTAssertEqual(Set(action.fail.keys), [1, 2])
        XCTAssertEqual(pool.stats(now: at(1)).total, 0)
        // The next request tries again.
        XCTAssertEqual(pool.request(3, loop: 0, now: at(2)).connect.count, 1)
    }

    func testIdleTimeoutClosesConnectionsAboveMinimum() {
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 3, minSize: 1, idleTimeout: .seconds(10)))
        var ids: [ConnectionID] = []
        for request in 1...3 { ids += pool.request(request, loop: 0, now: at(0)).connect.map(\.connection) }
        for id in ids { _ = pool.connected(id, now: at(0)) }
        for id in ids { _ = pool.release(id, reusable: true, now: at(1)) }
        XCTAssertTrue(pool.tick(now: at(5)).close.isEmpty)
        let closed = pool.tick(now: at(12))
        XCTAssertEqual(closed.close.count, 2, "one connection stays for min_pool_size")
        XCTAssertEqual(pool.stats(now: at(12)).idle, 1)
    }

    func testMinimumSizeIsOpenedWithoutDemand() {
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 5, minSize: 2))
        XCTAssertEqual(pool.tick(now: at(0)).connect.count, 2)
        XCTAssertTrue(pool.tick(now: at(1)).connect.isEmpty, "already connecting")
    }

    func testLifetimeClosesOldConnectionOnReturn() {
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 1, lifetime: .seconds(60)))
        let id = pool.request(1, loop: 0, now: at(0)).connect[0].connection
        _ = pool.connected(id, now: at(0))
        XCTAssertEqual(pool.release(id, reusable: true, now: at(61)).close, [id])
    }

    func testReserveOpensOnlyAfterWaitingLongEnough() {
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 1, reserveSize: 1, reserveAfter: .seconds(3)))
        let id = pool.request(1, loop: 0, now: at(0)).connect[0].connection
        _ = pool.connected(id, now: at(0))
        XCTAssertTrue(pool.request(2, loop: 0, now: at(0)).connect.isEmpty)
        XCTAssertTrue(pool.tick(now: at(2)).connect.isEmpty)
        XCTAssertEqual(pool.tick(now: at(3.5)).connect.count, 1)
    }

    func testPrefersAnIdleConnectionOnTheRequestersEventLoop() {
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 2))
        let a = pool.request(1, loop: 0, now: at(0)).connect[0]
        let b = pool.request(2, loop: 1, now: at(0)).connect[0]
        XCTAssertEqual(a.loop, 0)
        XCTAssertEqual(b.loop, 1)
        _ = pool.connected(a.connection, now: at(0))
        _ = pool.connected(b.connection, now: at(0))
        _ = pool.release(a.connection, reusable: true, now: at(1))
        _ = pool.release(b.connection, reusable: true, now: at(2))
        // b is the most recently used, but a lives on loop 0.
        XCTAssertEqual(pool.request(3, loop: 0, now: at(3)).leases, [Lease(request: 3, connection: a.connection)])
    }

    /// Two connections, one per loop, both leased; returns the pool and the connection on each loop.
    private func busyOnTwoLoops() -> (PoolStateMachine, ConnectionID, ConnectionID) {
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 2))
        let a = pool.request(1, loop: 0, now: at(0)).connect[0].connection
        let b = pool.request(2, loop: 1, now: at(0)).connect[0].connection
        _ = pool.connected(a, now: at(0))
        _ = pool.connected(b, now: at(0))
        return (pool, a, b)
    }

    func testAFreedConnectionGoesToAWaiterOnItsOwnLoopJustBehindTheOldest() {
        var (pool, _, b) = busyOnTwoLoops()
        _ = pool.request(3, loop: 0, now: at(1))
        _ = pool.request(4, loop: 1, now: at(1))
        // b is on loop 1: request 4 takes it, and request 3 keeps its place for the loop-0 connection.
        XCTAssertEqual(pool.release(b, reusable: true, now: at(2)).leases, [Lease(request: 4, connection: b)])
    }

    func testAWaiterIsPassedOverForLocalityAtMostTwice() {
        var (pool, _, b) = busyOnTwoLoops()
        _ = pool.request(3, loop: 0, now: at(1))
        for request in 4...6 { _ = pool.request(RequestID(request), loop: 1, now: at(1)) }
        XCTAssertEqual(pool.release(b, reusable: true, now: at(2)).leases, [Lease(request: 4, connection: b)])
        XCTAssertEqual(pool.release(b, reusable: true, now: at(3)).leases, [Lease(request: 5, connection: b)])
        // Request 3 has waited through two hand-overs: it gets the next connection, whatever its loop.
        XCTAssertEqual(pool.release(b, reusable: true, now: at(4)).leases, [Lease(request: 3, connection: b)])
        XCTAssertEqual(pool.release(b, reusable: true, now: at(5)).leases, [Lease(request: 6, connection: b)])
    }

    func testLocalityLooksOnlyAFewWaitersDeep() {
        var (pool, _, b) = busyOnTwoLoops()
        for request in 3..<(3 + PoolStateMachine.localityWindow) { _ = pool.request(RequestID(request), loop: 0, now: at(1)) }
        let far = RequestID(3 + PoolStateMachine.localityWindow)
        _ = pool.request(far, loop: 1, now: at(1))
        XCTAssertEqual(pool.release(b, reusable: true, now: at(2)).leases, [Lease(request: 3, connection: b)])
    }

    func testCancelledWaiterIsNotServed() {
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 1))
        let id = pool.request(1, loop: 0, now: at(0)).connect[0].connection
        _ = pool.request(2, loop: 0, now: at(0))
        _ = pool.cancel(1)
        XCTAssertEqual(pool.connected(id, now: at(1)).leases, [Lease(request: 2, connection: id)])
    }

    func testClosedLeasedConnectionIsForgottenAndReplacedForWaiters() {
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 1))
        let id = pool.request(1, loop: 0, now: at(0)).connect[0].connection
        _ = pool.connected(id, now: at(0))
        _ = pool.request(2, loop: 0, now: at(0))
        let action = pool.closed(id, now: at(1))
        XCTAssertEqual(action.connect.count, 1)
        XCTAssertNil(pool.holder(of: id))
    }

    func testShutdownFailsWaitersAndClosesIdle() {
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 1))
        let id = pool.request(1, loop: 0, now: at(0)).connect[0].connection
        _ = pool.connected(id, now: at(0))
        _ = pool.release(id, reusable: true, now: at(0))
        _ = pool.request(2, loop: 0, now: at(0))   // takes the idle one
        _ = pool.request(3, loop: 0, now: at(0))
        let action = pool.shutdown()
        XCTAssertEqual(action.fail, [3: .shuttingDown])
        XCTAssertEqual(pool.release(id, reusable: true, now: at(1)).close, [id])
        XCTAssertEqual(pool.request(4, loop: 0, now: at(1)).fail, [4: .shuttingDown])
    }
}

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
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 2), loops: 2)
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
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 2), loops: 2)
        let a = pool.request(1, loop: 0, now: at(0)).connect[0].connection
        let b = pool.request(2, loop: 1, now: at(0)).connect[0].connection
        _ = pool.connected(a, now: at(0))
        _ = pool.connected(b, now: at(0))
        return (pool, a, b)
    }

    /// An instant `microseconds` after the start: locality decisions turn on ``PoolStateMachine/localityWait``.
    func us(_ microseconds: Int) -> ContinuousClock.Instant { start.advanced(by: .microseconds(microseconds)) }

    var wait: Int { Int(PoolStateMachine.localityWait.components.seconds * 1_000_000 + PoolStateMachine.localityWait.components.attoseconds / 1_000_000_000_000) }

    func testAFreedConnectionGoesToAWaiterOnItsOwnLoopJustBehindTheOldest() {
        var (pool, _, b) = busyOnTwoLoops()
        _ = pool.request(3, loop: 0, now: us(100))
        _ = pool.request(4, loop: 1, now: us(100))
        // b is on loop 1: request 4 takes it, and request 3 keeps its place for the loop-0 connection.
        XCTAssertEqual(pool.release(b, reusable: true, now: us(200)).leases, [Lease(request: 4, connection: b)])
    }

    func testEachLoopServesItsOwnWaitersInOrderWhileItsConnectionsMove() {
        var (pool, a, b) = busyOnTwoLoops()
        _ = pool.request(3, loop: 0, now: us(100))
        for request in 4...13 { _ = pool.request(RequestID(request), loop: 1, now: us(100)) }
        var now = 200
        for request in 4...13 {
            // Loop 0 frees its connection now and then: request 3 waits for it, however many pass it meanwhile.
            XCTAssertEqual(pool.release(b, reusable: true, now: us(now)).leases, [Lease(request: RequestID(request), connection: b)])
            now += wait / 10
            if request == 12 {
                XCTAssertEqual(pool.release(a, reusable: true, now: us(now)).leases, [Lease(request: 3, connection: a)])
            }
        }
        XCTAssertEqual(pool.stats(now: us(now)).crossLoopLeases, 0)
    }

    func testAWaiterCrossesOnceItsLoopHasFreedNothingForTheLocalityWait() {
        var (pool, _, b) = busyOnTwoLoops()
        _ = pool.request(3, loop: 0, now: us(100))
        _ = pool.request(4, loop: 1, now: us(100))
        // Loop 0's connection has not moved since it opened (at 0): request 3 goes first, across loops.
        XCTAssertEqual(pool.release(b, reusable: true, now: us(100 + wait)).leases, [Lease(request: 3, connection: b)])
    }

    func testAHeldBackWaiterIsServedAtTheRecheckItAskedFor() {
        var (pool, _, b) = busyOnTwoLoops()
        _ = pool.release(b, reusable: true, now: us(100))
        // b idles on loop 1 while request 3, on loop 0, waits for loop 0's connection.
        let held = pool.request(3, loop: 0, now: us(200))
        XCTAssertEqual(held.leases, [])
        XCTAssertEqual(held.connect, [], "an idle connection elsewhere is not a reason to open another")
        XCTAssertEqual(held.recheckAt, us(200 + wait))
        XCTAssertEqual(pool.recheck(now: us(199 + wait)).leases, [])
        XCTAssertEqual(pool.recheck(now: us(200 + wait)).leases, [Lease(request: 3, connection: b)])
    }

    func testAWaiterItsOwnLoopCannotServeInTheNextRoundCrosses() {
        var (pool, _, b) = busyOnTwoLoops()
        _ = pool.request(3, loop: 0, now: us(100))
        _ = pool.request(4, loop: 0, now: us(100))
        // Loop 0 has one connection, which request 3 will get; request 4 would wait a whole round, so it takes b.
        XCTAssertEqual(pool.release(b, reusable: true, now: us(200)).leases, [Lease(request: 4, connection: b)])
    }

    func testAWaiterOnALoopWithNoConnectionTakesOneElsewhereAtOnce() {
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 1), loops: 2)
        let a = pool.request(1, loop: 0, now: us(0)).connect[0].connection
        _ = pool.connected(a, now: us(0))
        _ = pool.release(a, reusable: true, now: us(100))
        XCTAssertEqual(pool.request(2, loop: 1, now: us(200)).leases, [Lease(request: 2, connection: a)])
    }

    func testLocalityLooksOnlyAFewWaitersDeep() {
        var (pool, a, b) = busyOnTwoLoops()
        _ = pool.release(a, reusable: true, now: us(50))
        _ = pool.request(3, loop: 0, now: us(60))
        for request in 4..<(4 + PoolStateMachine.localityWindow) { _ = pool.request(RequestID(request), loop: 0, now: us(100)) }
        let far = RequestID(4 + PoolStateMachine.localityWindow)
        _ = pool.request(far, loop: 1, now: us(100))
        // The loop-1 waiter stands beyond the window. Loop 0's one connection will serve request 4 next, so b goes
        // to request 5, the first loop-0 waiter with no near prospect.
        XCTAssertEqual(pool.release(b, reusable: true, now: us(200)).leases, [Lease(request: 5, connection: b)])
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

/// Where new connections are opened, and how often a lease crosses loops.
final class PoolLoopPlacementTests: XCTestCase {
    let start = ContinuousClock.now
    func at(_ seconds: Double) -> ContinuousClock.Instant { start.advanced(by: .milliseconds(Int64(seconds * 1000))) }

    func testConnectionsFollowTheirWaitersLoopUpToItsShare() {
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 4), loops: 2)
        // Every waiter is on loop 0, but loop 0 gets only half the pool: clients are spread over both loops.
        let loops = (1...4).flatMap { pool.request(RequestID($0), loop: 0, now: at(0)).connect.map(\.loop) }
        XCTAssertEqual(loops, [0, 0, 1, 1])
    }

    func testASingleLoopTakesEveryConnection() {
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 3))
        let loops = (1...3).flatMap { pool.request(RequestID($0), loop: 0, now: at(0)).connect.map(\.loop) }
        XCTAssertEqual(loops, [0, 0, 0])
    }

    func testMinimumConnectionsAreSpreadOverTheLoops() {
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 4, minSize: 4), loops: 2)
        XCTAssertEqual(pool.tick(now: at(0)).connect.map(\.loop).sorted(), [0, 0, 1, 1])
    }

    func testLeasesAcrossLoopsAreCounted() {
        var pool = PoolStateMachine(settings: PoolSettings(maxSize: 1), loops: 2)
        let id = pool.request(1, loop: 0, now: at(0)).connect[0].connection
        _ = pool.connected(id, now: at(0))
        _ = pool.request(2, loop: 1, now: at(1))
        XCTAssertEqual(pool.release(id, reusable: true, now: at(2)).leases, [Lease(request: 2, connection: id)])
        _ = pool.release(id, reusable: true, now: at(3))
        _ = pool.request(3, loop: 0, now: at(4))
        let stats = pool.stats(now: at(5))
        XCTAssertEqual(stats.leases, 3)
        XCTAssertEqual(stats.crossLoopLeases, 1)
    }
}

// query_wait_timeout: a client that cannot get a server connection in time is told so, naming the pool.

@testable import BulkheadProxy
import BulkheadWire
import Foundation
import XCTest

final class QueueTimeoutTests: XCTestCase {
    func testWaitingClientIsFailedNamingThePoolOnceQueryWaitTimeoutPasses() throws {
        var configuration = TestConfiguration()
        configuration.poolSize = 1
        configuration.queryWaitTimeout = 0.3
        let harness = try ProxyHarness(configuration)
        let holder = try harness.loginTrust()
        let server = try XCTUnwrap(holder.newServer)

        // The login completes without a server connection; the first query is what waits for one.
        let waiting = try harness.loginTrust().client
        XCTAssertNil(try harness.send(.query("SELECT 2"), from: waiting), "pool_size 1 is already used")
        XCTAssertEqual(harness.connector.connections.count, 1)

        // PoolManager reads ContinuousClock itself, so the timeout has to pass in real time.
        harness.runtime.pools.tick()
        harness.run()
        XCTAssertEqual(try waiting.receivedBytes().readableBytes, 0, "failed before the timeout")
        XCTAssertFalse(waiting.isClosed)

        Thread.sleep(forTimeInterval: 0.4)
        harness.runtime.pools.tick()
        harness.run()

        let messages = try waiting.receivedMessages()
        XCTAssertEqual(messages.errors.map(\.sqlState), ["08000"], "\(messages)")
        let text = try XCTUnwrap(messages.errors.first?.message)
        XCTAssertTrue(text.contains(TestConfiguration.poolName), text)
        XCTAssertTrue(text.contains("query_wait_timeout"), text)
        XCTAssertTrue(waiting.isClosed)
        XCTAssertEqual(try server.receivedBytes().readableBytes, 0, "the failed query must never reach the server")

        // The holder keeps its connection.
        let query = WireDecoding.encode([.query("SELECT 1")])
        try holder.client.send(raw: query)
        harness.run()
        XCTAssertEqual(try server.receivedBytes(), query)
    }
}

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

        let waiting = try harness.connectClient()
        try waiting.sendStartup(user: TestConfiguration.trustUser)
        harness.run()
        XCTAssertEqual(try waiting.receivedMessages(), [.authentication(.ok)])
        XCTAssertEqual(harness.connector.connections.count, 1, "pool_size 1 is already used")

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

        // The holder keeps its connection.
        let query = WireDecoding.encode([.query("SELECT 1")])
        try holder.client.send(raw: query)
        harness.run()
        XCTAssertEqual(try server.receivedBytes(), query)
    }
}

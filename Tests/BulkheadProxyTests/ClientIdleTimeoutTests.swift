// client_idle_timeout ends clients that have gone quiet, never one that is waiting for the proxy to serve it.

import BulkheadWire
import Foundation
import NIOCore
import XCTest

final class ClientIdleTimeoutTests: XCTestCase {
    func testClientWithNothingPendingIsEndedAfterClientIdleTimeout() throws {
        let harness = try ProxyHarness(configuration())
        let session = try harness.loginTrust()

        try idleCheck(session.client, harness, afterSleeping: false)
        XCTAssertFalse(session.client.isClosed, "ended before client_idle_timeout")
        try idleCheck(session.client, harness, afterSleeping: true)

        let messages = try session.client.receivedMessages()
        XCTAssertEqual(messages.errors.map(\.sqlState), ["57P05"], "\(messages)")
        XCTAssertTrue(session.client.isClosed)
    }

    /// A client whose query waits for a server connection is waiting on the proxy, not idle: PostgreSQL's
    /// idle_session_timeout never ends a session with a query outstanding, and query_wait_timeout governs the wait.
    func testClientWhoseQueryWaitsForAServerIsNotIdle() throws {
        var configuration = configuration()
        configuration.poolSize = 1
        let harness = try ProxyHarness(configuration)
        let holder = try harness.loginTrust()
        XCTAssertNotNil(holder.newServer)
        let waiting = try harness.loginTrust()
        XCTAssertNil(try harness.send(.query("SELECT 1"), from: waiting.client), "pool_size 1 is already used")

        try idleCheck(waiting.client, harness, afterSleeping: true)
        XCTAssertEqual(try waiting.client.receivedMessages(), [], "a client waiting for a server must not be ended as idle")
        XCTAssertFalse(waiting.client.isClosed)
    }

    // MARK: Helpers

    private func configuration() -> TestConfiguration {
        var configuration = TestConfiguration()
        configuration.clientIdleTimeout = 0.3
        return configuration
    }

    /// Delivers the event ProxyServer's IdleStateHandler raises; the handler measures idleness in real time.
    private func idleCheck(_ client: TestClient, _ harness: ProxyHarness, afterSleeping: Bool) throws {
        if afterSleeping { Thread.sleep(forTimeInterval: 0.35) }
        client.channel.pipeline.fireUserInboundEventTriggered(IdleStateHandler.IdleStateEvent.read)
        harness.run()
    }
}

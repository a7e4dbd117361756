// What happens to a server connection when its client leaves: reset and reuse when safe, close when not.

import BulkheadWire
import NIOCore
import XCTest

final class ReleaseTests: XCTestCase {
    func testTerminateResetsTheServerAndTheNextClientReusesIt() throws {
        let harness = try ProxyHarness()
        let first = try harness.loginTrust()
        let server = try XCTUnwrap(first.newServer)

        try first.client.send(.terminate)
        harness.run()
        XCTAssertTrue(first.client.isClosed)
        XCTAssertEqual(try server.receivedMessages(), [.query("DISCARD ALL")])
        try server.completeCommand("DISCARD ALL")
        harness.run()
        XCTAssertTrue(server.isOpen)

        let second = try harness.loginTrust()
        XCTAssertNotEqual(second.proxyKey, first.proxyKey)

        XCTAssertNil(try harness.send(.query("SELECT 2"), from: second.client), "the reset connection must be reused")
        XCTAssertEqual(try server.receivedMessages(), [.query("SELECT 2")])
        XCTAssertEqual(harness.connector.connections.count, 1)
    }

    func testClientLeavingInsideATransactionRollsBackBeforeTheResetAndTheConnectionIsReused() throws {
        let harness = try ProxyHarness()
        let first = try harness.loginTrust()
        let server = try XCTUnwrap(first.newServer)
        try first.client.send(.query("BEGIN"))
        harness.run()
        _ = try server.receivedBytes()
        try server.completeCommand("BEGIN", status: .inTransaction)
        harness.run()
        XCTAssertEqual(try first.client.receivedMessages(), [.commandComplete("BEGIN"), .readyForQuery(.inTransaction)])

        first.client.channel.close(promise: nil)
        harness.run()

        XCTAssertEqual(try server.receivedMessages(), [.query("ROLLBACK"), .query("DISCARD ALL")])
        try server.send(.commandComplete("ROLLBACK"), .readyForQuery(.idle), .commandComplete("DISCARD ALL"), .readyForQuery(.idle))
        harness.run()
        XCTAssertTrue(server.isOpen)

        let second = try harness.loginTrust()
        XCTAssertNil(try harness.send(.query("SELECT 2"), from: second.client), "a cleanly reset connection must be reused")
        XCTAssertEqual(try server.receivedMessages(), [.query("SELECT 2")])
        XCTAssertEqual(harness.connector.connections.count, 1)
    }

    func testClientLeavingWithAQueryInFlightClosesTheServerConnection() throws {
        let harness = try ProxyHarness()
        let first = try harness.loginTrust()
        let server = try XCTUnwrap(first.newServer)
        try first.client.send(.query("SELECT pg_sleep(60)"))
        harness.run()
        _ = try server.receivedBytes()

        first.client.channel.close(promise: nil)
        harness.run()

        XCTAssertFalse(server.isOpen, "a connection with an unanswered query cannot be reused")
        XCTAssertEqual(try server.receivedBytes().readableBytes, 0, "nothing is sent to a connection being discarded")
        // The next client's first query needs a connection, and the discarded one is not it.
        let second = try harness.loginTrust()
        let replacement = try XCTUnwrap(try harness.send(.query("SELECT 2"), from: second.client), "a new connection must be opened")
        XCTAssertEqual(try replacement.receivedMessages(), [.query("SELECT 2")])
        XCTAssertEqual(harness.connector.connections.count, 2)
    }

    func testClientLeavingWhileItsServerLogsInLeavesTheConnectionIdleForTheNext() throws {
        let harness = try ProxyHarness()
        let first = try harness.connectClient()
        try first.sendStartup(user: TestConfiguration.trustUser)
        harness.run()
        let server = try XCTUnwrap(harness.connector.servers.first)

        first.channel.close(promise: nil)
        harness.run()
        try server.acceptLogin(key: harness.makeServerKey())
        harness.run()
        XCTAssertTrue(server.isOpen)
        XCTAssertEqual(try server.receivedBytes().readableBytes, 0)

        let second = try harness.loginTrust()
        XCTAssertNil(try harness.send(.query("SELECT 2"), from: second.client),
                     "the connection opened for the departed client serves the next one")
        XCTAssertEqual(try server.receivedMessages(), [.query("SELECT 2")])
        XCTAssertEqual(harness.connector.connections.count, 1)
    }
}

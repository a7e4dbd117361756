// A server connection that dies or refuses the proxy ends its client with an error instead of leaving it hanging.

import BulkheadWire
import NIOCore
import XCTest

final class ServerFailureTests: XCTestCase {
    func testServerClosingMidQueryFailsTheClientWith08006AndDisconnectsIt() throws {
        let harness = try ProxyHarness()
        let session = try harness.loginTrust()
        let server = try XCTUnwrap(session.newServer)
        try session.client.send(.query("SELECT 1"))
        harness.run()

        server.channel.close(promise: nil)
        harness.run()

        let messages = try session.client.receivedMessages()
        XCTAssertEqual(messages.errors.map(\.sqlState), ["08006"], "\(messages)")
        XCTAssertTrue(session.client.isClosed)

        // The dead connection is gone from the pool: the next client's first query gets a new one.
        let next = try harness.loginTrust()
        let replacement = try XCTUnwrap(try harness.send(.query("SELECT 2"), from: next.client), "a new connection must be opened")
        XCTAssertEqual(try replacement.receivedMessages(), [.query("SELECT 2")])
        XCTAssertEqual(harness.connector.connections.count, 2)
    }

    func testServerRefusingTheProxysLoginFailsTheWaitingClientNamingThePool() throws {
        let harness = try ProxyHarness()
        let client = try harness.connectClient()
        try client.sendStartup(user: TestConfiguration.trustUser)
        harness.run()
        XCTAssertEqual(try client.receivedMessages(), [.authentication(.ok)])
        let server = try XCTUnwrap(harness.connector.servers.first)
        _ = try server.receivedStartup()

        try server.send(.error("28P01", "password authentication failed for user \"\(TestConfiguration.serverUser)\"", severity: "FATAL"))
        harness.run()

        let messages = try client.receivedMessages()
        XCTAssertEqual(messages.errors.map(\.sqlState), ["08000"], "\(messages)")
        let text = try XCTUnwrap(messages.errors.first?.message)
        XCTAssertTrue(text.contains(TestConfiguration.poolName), text)
        XCTAssertTrue(client.isClosed)
        XCTAssertFalse(server.isOpen)
    }

    /// A server may end an idle connection right after answering (pg_terminate_backend, idle_session_timeout),
    /// even in the same read as the reset's ReadyForQuery that made the connection free for a waiting client.
    func testConnectionDyingBetweenItsLeaseAndItsHandOverDoesNotStrandTheWaitingClient() throws {
        var configuration = TestConfiguration()
        configuration.poolSize = 1
        let harness = try ProxyHarness(configuration)
        let first = try harness.loginTrust()
        let server = try XCTUnwrap(first.newServer)
        // The waiting client logs in at once; its query is what waits for the only connection.
        let waiting = try harness.loginTrust().client
        let query = FrontendMessage.query("SELECT 1")
        XCTAssertNil(try harness.send(query, from: waiting))
        XCTAssertEqual(try waiting.receivedBytes().readableBytes, 0)

        try first.client.send(.terminate)
        harness.run()
        XCTAssertEqual(try server.receivedMessages(), [.query("DISCARD ALL")])
        try server.send(.commandComplete("DISCARD ALL"), .readyForQuery(.idle),
                        .error("57P01", "terminating connection due to administrator command", severity: "FATAL"))
        harness.run()
        XCTAssertFalse(server.isOpen)

        // Whatever the proxy does (a new connection or an error), the waiting client's query must not have been
        // written into a closed connection with the client left waiting for an answer that never comes.
        for newServer in harness.connector.servers.dropFirst() {
            try newServer.acceptLogin(key: harness.makeServerKey())
        }
        harness.run()
        let messages = try waiting.receivedMessages()
        if waiting.isClosed {
            XCTAssertFalse(messages.errors.isEmpty, "closed without saying why: \(messages)")
            return
        }
        XCTAssertEqual(messages, [], "the query has not been answered yet")
        let reached = try harness.connector.servers.filter(\.isOpen).map { try $0.receivedMessages() }
        XCTAssertTrue(reached.contains([query]), "the query went into a dead connection; the client now waits forever")
    }

    func testServerThatNeverFinishesTheLoginIsDroppedAfterConnectTimeout() throws {
        let harness = try ProxyHarness()
        let client = try harness.connectClient()
        try client.sendStartup(user: TestConfiguration.trustUser)
        harness.run()
        let server = try XCTUnwrap(harness.connector.servers.first)
        _ = try server.receivedStartup()

        harness.loop.advanceTime(by: .seconds(5) - .milliseconds(1))
        XCTAssertTrue(server.isOpen, "dropped before connect_timeout")
        XCTAssertEqual(try client.receivedMessages(), [.authentication(.ok)])

        harness.loop.advanceTime(by: .milliseconds(1))
        XCTAssertFalse(server.isOpen, "a login that never finishes must not hold a pool slot")
        let messages = try client.receivedMessages()
        XCTAssertEqual(messages.errors.map(\.sqlState), ["08000"], "\(messages)")
        XCTAssertTrue(client.isClosed)
    }

    func testUnreachableServerFailsTheWaitingClientNamingThePool() throws {
        let harness = try ProxyHarness()
        harness.connector.refusesConnections = true
        let client = try harness.connectClient()
        try client.sendStartup(user: TestConfiguration.trustUser)
        harness.run()

        let messages = try client.receivedMessages()
        XCTAssertEqual(messages.first, .authentication(.ok))
        XCTAssertEqual(messages.errors.map(\.sqlState), ["08000"], "\(messages)")
        let text = try XCTUnwrap(messages.errors.first?.message)
        XCTAssertTrue(text.contains(TestConfiguration.poolName), text)
        XCTAssertTrue(client.isClosed)

        // Once the node is back, the pool connects again for the next client.
        harness.connector.refusesConnections = false
        XCTAssertNotNil(try harness.loginTrust().newServer)
    }

    func testServerSendingAMalformedFrameEndsItsClientWith08006() throws {
        let harness = try ProxyHarness()
        let session = try harness.loginTrust()
        let server = try XCTUnwrap(session.newServer)
        try session.client.send(.query("SELECT 1"))
        harness.run()

        var garbage = ByteBuffer()
        garbage.writeInteger(MessageType.Backend.dataRow)
        garbage.writeInteger(Int32(1))
        try server.send(raw: garbage)
        harness.run()

        XCTAssertFalse(server.isOpen)
        let messages = try session.client.receivedMessages()
        XCTAssertEqual(messages.errors.map(\.sqlState), ["08006"], "\(messages)")
        XCTAssertTrue(session.client.isClosed)
    }
}

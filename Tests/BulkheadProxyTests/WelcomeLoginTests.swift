// Logins after a pool's first complete from the parameters it remembers; the server connection comes with the first message.

import BulkheadWire
import NIOCore
import XCTest

final class WelcomeLoginTests: XCTestCase {
    /// What the parameter sync for application_name = reporting and work_mem = 64MB looks like on the wire.
    static let syncQuery = "SELECT pg_catalog.set_config(E'application_name', E'reporting', false), "
        + "pg_catalog.set_config(E'work_mem', E'64MB', false)"

    func testLaterLoginCompletesWithoutAServerAndReportsItsOwnApplicationName() throws {
        var configuration = TestConfiguration()
        configuration.poolSize = 1
        let harness = try ProxyHarness(configuration)
        let serverKey = CancelKey(processID: 777, secretKey: 0x0777_0777)
        let first = try harness.loginTrust(serverKey: serverKey)
        let server = try XCTUnwrap(first.newServer)

        // The only connection is held by the first client, so the second login cannot be waiting for one.
        let second = try harness.connectClient()
        try second.sendStartup(user: TestConfiguration.trustUser, parameters: [("application_name", "reporting"), ("work_mem", "64MB")])
        harness.run()

        XCTAssertEqual(harness.connector.connections.count, 1, "a later login opens no connection")
        XCTAssertEqual(try server.receivedBytes().readableBytes, 0, "a later login sends nothing to any server")
        let messages = try second.receivedMessages()
        let expectedStatus = FakeServer.reportedParameters.map { name, value in
            BackendMessage.parameterStatus(name: name, value: name == "application_name" ? "reporting" : value)
        }
        XCTAssertEqual(messages.count, 1 + expectedStatus.count + 2, "\(messages)")
        XCTAssertEqual(messages.first, .authentication(.ok))
        XCTAssertEqual(Array(messages.dropFirst().prefix(expectedStatus.count)), expectedStatus,
                       "the remembered parameters, with the client's own application_name and no unreported setting")
        XCTAssertEqual(messages.last, .readyForQuery(.idle))
        let key = try XCTUnwrap(messages.backendKey, "\(messages)")
        XCTAssertNotEqual(key, serverKey, "the server's key must stay hidden")
        XCTAssertNotEqual(key, first.proxyKey, "every client gets its own key")
        XCTAssertFalse(second.isClosed)
    }

    func testFirstQueryIsPrecededByTheParameterSyncWhoseResultsTheClientNeverSees() throws {
        let harness = try ProxyHarness()
        let server = try idleServerAfterAFirstClient(harness)
        let second = try harness.loginTrust(parameters: [("application_name", "reporting"), ("work_mem", "64MB")])
        XCTAssertEqual(try server.receivedBytes().readableBytes, 0, "the login reaches no server")

        let query = FrontendMessage.query("SELECT n FROM generate_series(1, 2) n")
        XCTAssertNil(try harness.send(query, from: second.client), "the idle connection serves the first query")
        XCTAssertEqual(try server.receivedMessages(), [.query(Self.syncQuery), query],
                       "the startup parameters are applied in front of the first query, in the same write")
        XCTAssertEqual(try second.client.receivedBytes().readableBytes, 0)

        // The sync's answer and the query's arrive in one read; only the query's reaches the client.
        let syncAnswer: [BackendMessage] = [
            .rowDescription(["set_config", "set_config"].map {
                FieldDescription(name: $0, tableOID: 0, columnAttribute: 0, dataTypeOID: 25, dataTypeSize: -1, typeModifier: -1, format: 0)
            }),
            .dataRow([ByteBuffer(string: "reporting"), ByteBuffer(string: "64MB")]),
            .commandComplete("SELECT 1"),
            .parameterStatus(name: "application_name", value: "reporting"),
            .readyForQuery(.idle),
        ]
        try server.send(raw: WireDecoding.encode(syncAnswer + QueryForwardingTests.resultMessages))
        harness.run()
        XCTAssertEqual(try second.client.receivedBytes(), WireDecoding.encode(QueryForwardingTests.resultMessages))
        XCTAssertFalse(second.client.isClosed)

        // The connection now has the client's settings: later queries go out alone.
        XCTAssertNil(try harness.send(.query("SELECT 3"), from: second.client))
        XCTAssertEqual(try server.receivedMessages(), [.query("SELECT 3")])
    }

    func testFailedParameterSyncEndsTheClientWithTheServersErrorAsFATAL() throws {
        let harness = try ProxyHarness()
        let server = try idleServerAfterAFirstClient(harness)
        let second = try harness.loginTrust(parameters: [("work_mem", "lots")])

        let query = FrontendMessage.query("SELECT 1")
        XCTAssertNil(try harness.send(query, from: second.client))
        XCTAssertEqual(try server.receivedMessages(), [.query("SELECT pg_catalog.set_config(E'work_mem', E'lots', false)"), query])

        let reason = "invalid value for parameter \"work_mem\": \"lots\""
        try server.send(.error("22023", reason), .readyForQuery(.idle))
        harness.run()

        let messages = try second.client.receivedMessages()
        XCTAssertEqual(messages.count, 1, "only the error, never the query's results: \(messages)")
        XCTAssertEqual(messages.errors.map(\.sqlState), ["22023"], "\(messages)")
        XCTAssertEqual(messages.errors.first?.severity, "FATAL")
        XCTAssertEqual(messages.errors.first?.message, reason)
        XCTAssertTrue(second.client.isClosed)
        XCTAssertFalse(server.isOpen, "the client's query is still running there: the connection cannot be reused")
    }

    func testLaterClientTakesAConnectionAtItsFirstMessageAndKeepsItUntilItLeavesInSessionMode() throws {
        let harness = try ProxyHarness()
        let first = try harness.loginTrust()
        XCTAssertNotNil(first.newServer)
        let second = try harness.loginTrust()
        XCTAssertNil(second.newServer)
        XCTAssertEqual(harness.connector.connections.count, 1)

        let own = try XCTUnwrap(try harness.send(.query("SELECT 1"), from: second.client), "the first query opens a connection")
        XCTAssertEqual(try own.receivedMessages(), [.query("SELECT 1")])
        try own.send(.commandComplete("SELECT 1"), .readyForQuery(.idle))
        harness.run()
        XCTAssertEqual(try second.client.receivedMessages(), [.commandComplete("SELECT 1"), .readyForQuery(.idle)])

        // Idle between queries, it still holds the connection: a third client's query has to wait (pool_size 2).
        let third = try harness.loginTrust()
        XCTAssertNil(try harness.send(.query("SELECT 3"), from: third.client))
        XCTAssertEqual(try own.receivedBytes().readableBytes, 0, "a session-mode client's connection is not shared")
        XCTAssertNil(try harness.send(.query("SELECT 2"), from: second.client))
        XCTAssertEqual(try own.receivedMessages(), [.query("SELECT 2")])
        try own.send(.commandComplete("SELECT 1"), .readyForQuery(.idle))
        harness.run()

        // Once the second client leaves and its connection is reset, the third gets it.
        try second.client.send(.terminate)
        harness.run()
        XCTAssertEqual(try own.receivedMessages(), [.query("DISCARD ALL")])
        try own.completeCommand("DISCARD ALL")
        harness.run()
        XCTAssertEqual(try own.receivedMessages(), [.query("SELECT 3")])
        XCTAssertEqual(harness.connector.connections.count, 2)
    }

    /// Under transaction pooling a later client's startup value (here DateStyle = ISO, which the server reports back
    /// as "ISO, MDY") is applied on a connection once; the same connection already has it the next time.
    func testStartupValueAppliedOnceIsNotAppliedAgainOnTheSameConnectionInTransactionMode() throws {
        var configuration = TestConfiguration()
        configuration.poolMode = "transaction"
        let harness = try ProxyHarness(configuration)
        let server = try XCTUnwrap(try harness.loginTrust().newServer)
        let client = try harness.loginTrust(parameters: [("DateStyle", "ISO")]).client

        XCTAssertNil(try harness.send(.query("SELECT 1"), from: client))
        XCTAssertEqual(try server.receivedMessages(),
                       [.query("SELECT pg_catalog.set_config(E'DateStyle', E'ISO', false)"), .query("SELECT 1")])
        try server.send(.rowDescription([FieldDescription(name: "set_config", tableOID: 0, columnAttribute: 0, dataTypeOID: 25,
                                                          dataTypeSize: -1, typeModifier: -1, format: 0)]),
                        .dataRow([ByteBuffer(string: "ISO, MDY")]), .commandComplete("SELECT 1"),
                        .parameterStatus(name: "DateStyle", value: "ISO, MDY"), .readyForQuery(.idle),
                        .commandComplete("SELECT 1"), .readyForQuery(.idle))
        harness.run()
        XCTAssertEqual(try client.receivedMessages(), [.commandComplete("SELECT 1"), .readyForQuery(.idle)])

        XCTAssertNil(try harness.send(.query("SELECT 2"), from: client), "the same, only, connection serves the next transaction")
        XCTAssertEqual(try server.receivedMessages(), [.query("SELECT 2")], "the connection already has the client's DateStyle")
    }

    // MARK: Helpers

    /// Logs a first client in (which makes the pool remember its parameters), lets it leave, and returns its
    /// connection, reset and idle in the pool.
    private func idleServerAfterAFirstClient(_ harness: ProxyHarness) throws -> FakeServer {
        let first = try harness.loginTrust()
        let server = try XCTUnwrap(first.newServer)
        try first.client.send(.terminate)
        harness.run()
        guard try server.receivedMessages() == [.query("DISCARD ALL")] else { throw TestFailure("expected the reset query") }
        try server.completeCommand("DISCARD ALL")
        harness.run()
        return server
    }
}

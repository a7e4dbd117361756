// server_check_delay: a connection idle past the delay answers an empty query before a client gets it.

@testable import BulkheadProxy
import BulkheadWire
import XCTest

final class HealthCheckTests: XCTestCase {
    private func harness() throws -> ProxyHarness {
        var configuration = TestConfiguration()
        configuration.poolSize = 1
        configuration.poolMode = "transaction"
        configuration.serverCheckDelay = 0
        return try ProxyHarness(configuration)
    }

    func testIdleConnectionIsCheckedBeforeTheClientsQuery() throws {
        let harness = try harness()
        let session = try harness.loginTrust()
        let server = try XCTUnwrap(session.newServer)
        _ = try server.receivedBytes()
        XCTAssertNil(try harness.send(.query("SELECT 1"), from: session.client), "the idle connection is reused")
        XCTAssertEqual(try server.receivedMessages(), [.query(";")], "only the check goes out first")
        try server.send(.emptyQueryResponse, .readyForQuery(.idle))
        harness.run()
        XCTAssertEqual(try server.receivedMessages(), [.query("SELECT 1")])
        XCTAssertEqual(try session.client.receivedMessages(), [], "the check's answer is not the client's")
    }

    func testConnectionFailingItsCheckIsReplacedForTheClient() throws {
        let harness = try harness()
        let session = try harness.loginTrust()
        let server = try XCTUnwrap(session.newServer)
        _ = try server.receivedBytes()
        _ = try harness.send(.query("SELECT 2"), from: session.client)
        XCTAssertEqual(try server.receivedMessages(), [.query(";")])
        try server.send(.error("57P01", "terminating connection due to administrator command", severity: "FATAL"), .readyForQuery(.idle))
        harness.run()
        XCTAssertEqual(harness.connector.connections.count, 2, "a replacement connection is opened")
        let replacement = try XCTUnwrap(harness.connector.servers.last)
        _ = try replacement.acceptLogin(key: harness.makeServerKey())
        harness.run()
        let sent = try replacement.receivedMessages()
        XCTAssertEqual(sent.last, .query("SELECT 2"), "the client's query goes to the replacement: \(sent)")
        XCTAssertFalse(session.client.isClosed)
    }
}

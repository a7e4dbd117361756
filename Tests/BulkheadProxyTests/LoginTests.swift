// Startup through the real handlers: encryption refused politely, then a trust login backed by a fresh server connection.

import BulkheadWire
import NIOCore
import XCTest

final class LoginTests: XCTestCase {
    func testSSLRequestGetsOneByteNAndTheConnectionStaysOpenForStartup() throws {
        let harness = try ProxyHarness()
        let client = try harness.connectClient()

        try client.send(.sslRequest)
        harness.run()

        XCTAssertEqual(Array(buffer: try client.receivedBytes()), [UInt8(ascii: "N")])
        XCTAssertFalse(client.isClosed)

        // The same connection goes on in plaintext, as libpq does after an 'N'.
        let session = try harness.loginTrust(client)
        XCTAssertEqual(session.messages.first, .authentication(.ok))
        XCTAssertFalse(client.isClosed)
    }

    func testTrustLoginWaitsForTheServerAndReportsItsParametersUnderTheProxysKey() throws {
        let harness = try ProxyHarness()
        let client = try harness.connectClient()

        try client.sendStartup(user: TestConfiguration.trustUser)
        harness.run()

        // The password step is over at once; the rest waits for the server connection.
        XCTAssertEqual(try client.receivedMessages(), [.authentication(.ok)])
        XCTAssertEqual(harness.connector.connections.count, 1)
        let connection = try XCTUnwrap(harness.connector.connections.first)
        XCTAssertEqual(connection.node.name, TestConfiguration.nodeName)
        XCTAssertEqual(connection.node.host, "192.0.2.10")

        let serverKey = CancelKey(processID: 31337, secretKey: 0x0BAD_CAFE)
        let startup = try connection.server.acceptLogin(key: serverKey)
        harness.run()

        XCTAssertEqual(startup.user, TestConfiguration.serverUser)
        XCTAssertEqual(startup.database, TestConfiguration.serverDatabase)

        let messages = try client.receivedMessages()
        let reported = FakeServer.reportedParameters.count
        XCTAssertEqual(messages.count, reported + 2, "\(messages)")
        var parameters: [String: String] = [:]
        for case .parameterStatus(let name, let value) in messages.prefix(reported) { parameters[name] = value }
        XCTAssertEqual(parameters, Dictionary(uniqueKeysWithValues: FakeServer.reportedParameters))
        guard case .backendKeyData(let processID, let secretKey)? = messages.dropLast().last else {
            return XCTFail("expected BackendKeyData before ReadyForQuery, got \(messages)")
        }
        XCTAssertEqual(messages.last, .readyForQuery(.idle))
        XCTAssertNotEqual(CancelKey(processID: processID, secretKey: secretKey), serverKey, "the server's key must stay hidden")
        XCTAssertNotEqual(processID, serverKey.processID)
        XCTAssertFalse(client.isClosed)
        XCTAssertTrue(connection.server.isOpen)
    }
}

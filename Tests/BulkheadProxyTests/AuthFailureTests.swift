// Failed logins are answered only after auth_failure_delay, and an unknown user fails exactly like a wrong password.

import BulkheadAuth
import BulkheadWire
import NIOCore
import XCTest

final class AuthFailureTests: XCTestCase {
    /// auth_failure_delay in the test configuration.
    let delay = TimeAmount.milliseconds(250)

    func testMD5WrongPasswordIsRefusedOnlyAfterTheDelayAndThenDisconnected() throws {
        let harness = try ProxyHarness()
        let client = try harness.connectClient()
        let salt = try md5Challenge(harness, client, user: TestConfiguration.md5User)

        try client.send(.password(MD5Auth.response(user: TestConfiguration.md5User, password: "wrong-password", salt: salt)))
        let messages = try messagesAfterDelay(harness, client)

        XCTAssertEqual(messages.errors.map(\.sqlState), ["28P01"])
        XCTAssertEqual(messages.errors.first?.message, "password authentication failed for user \"\(TestConfiguration.md5User)\"")
        XCTAssertEqual(messages.count, 1, "\(messages)")
        XCTAssertTrue(client.isClosed)
        XCTAssertEqual(harness.connector.connections.count, 0, "a failed login must not reach the server")
    }

    func testMD5RightPasswordLogsIn() throws {
        let harness = try ProxyHarness()
        let client = try harness.connectClient()
        let salt = try md5Challenge(harness, client, user: TestConfiguration.md5User)

        try client.send(.password(MD5Auth.response(user: TestConfiguration.md5User, password: TestConfiguration.md5Password, salt: salt)))
        harness.run()

        XCTAssertEqual(try client.receivedMessages(), [.authentication(.ok)])
        XCTAssertEqual(harness.connector.connections.count, 1)
        XCTAssertFalse(client.isClosed)
    }

    func testUnknownUserWithSCRAMIsRefusedAfterTheSameDelayWithTheSameError() throws {
        let harness = try ProxyHarness()
        let client = try harness.connectClient()
        let user = "mallory"

        let clientFinal = try scramExchange(harness, client, user: user, password: "anything")
        try client.send(.saslResponse(ByteBuffer(bytes: clientFinal)))
        let messages = try messagesAfterDelay(harness, client)

        XCTAssertEqual(messages.errors.map(\.sqlState), ["28P01"])
        XCTAssertEqual(messages.errors.first?.message, "password authentication failed for user \"\(user)\"")
        XCTAssertEqual(messages.count, 1, "\(messages)")
        XCTAssertTrue(client.isClosed)
        XCTAssertEqual(harness.connector.connections.count, 0)
    }

    func testKnownSCRAMUserWithRightPasswordLogsIn() throws {
        let harness = try ProxyHarness()
        let client = try harness.connectClient()

        let clientFinal = try scramExchange(harness, client, user: TestConfiguration.scramUser, password: TestConfiguration.scramPassword)
        try client.send(.saslResponse(ByteBuffer(bytes: clientFinal)))
        harness.run()

        let messages = try client.receivedMessages()
        guard messages.count == 2, case .authentication(.saslFinal) = messages[0] else {
            return XCTFail("expected SASLFinal then AuthenticationOk, got \(messages)")
        }
        XCTAssertEqual(messages[1], .authentication(.ok))
        XCTAssertFalse(client.isClosed)
        XCTAssertEqual(harness.connector.connections.count, 1)
    }

    // MARK: Helpers

    /// Sends the startup packet and returns the salt of the md5 challenge it must get.
    private func md5Challenge(_ harness: ProxyHarness, _ client: TestClient, user: String) throws -> [UInt8] {
        try client.sendStartup(user: user)
        harness.run()
        let messages = try client.receivedMessages()
        guard messages.count == 1, case .authentication(.md5Password(let salt)) = messages[0] else {
            throw TestFailure("expected an md5 challenge, got \(messages)")
        }
        return salt
    }

    /// Runs a SCRAM exchange up to the client-final-message, which it returns.
    private func scramExchange(_ harness: ProxyHarness, _ client: TestClient, user: String, password: String) throws -> [UInt8] {
        try client.sendStartup(user: user)
        harness.run()
        let offer = try client.receivedMessages()
        guard offer == [.authentication(.sasl(mechanisms: ["SCRAM-SHA-256"]))] else {
            throw TestFailure("expected a SCRAM-SHA-256 offer, got \(offer)")
        }
        var scram = SCRAMClient(password: password)
        try client.send(.saslInitialResponse(SASLInitialResponse(mechanism: "SCRAM-SHA-256", data: ByteBuffer(bytes: scram.clientFirstMessage()))))
        harness.run()
        let challenge = try client.receivedMessages()
        guard challenge.count == 1, case .authentication(.saslContinue(let serverFirst)) = challenge[0] else {
            throw TestFailure("expected a SASLContinue, got \(challenge)")
        }
        return try scram.receiveServerFirst(Array(buffer: serverFirst))
    }

    /// Checks that nothing arrives and the connection stays open until the delay has passed, then returns what came.
    private func messagesAfterDelay(
        _ harness: ProxyHarness, _ client: TestClient, file: StaticString = #filePath, line: UInt = #line
    ) throws -> [BackendMessage] {
        harness.run()
        XCTAssertEqual(try client.receivedBytes().readableBytes, 0, "answered before the delay", file: file, line: line)
        harness.loop.advanceTime(by: delay - .milliseconds(1))
        XCTAssertEqual(try client.receivedBytes().readableBytes, 0, "answered before the delay", file: file, line: line)
        XCTAssertFalse(client.isClosed, "closed before the delay", file: file, line: line)
        harness.loop.advanceTime(by: .milliseconds(1))
        return try client.receivedMessages()
    }
}

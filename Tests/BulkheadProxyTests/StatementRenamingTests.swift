// Under transaction pooling, named prepared statements live on shared connections under bh_ names the proxy manages.

import BulkheadWire
import NIOCore
import XCTest

final class StatementRenamingTests: XCTestCase {
    static let text = "SELECT $1::int4"
    static let types: [UInt32] = [23]

    static func parse(_ name: String) -> FrontendMessage {
        .parse(Parse(name: name, query: text, parameterTypes: types))
    }

    static func bind(_ statement: String) -> FrontendMessage {
        .bind(Bind(portal: "", statement: statement, parameterFormats: [], parameters: [ByteBuffer(string: "42")], resultFormats: []))
    }

    /// Bind, Execute, Sync of the statement the client calls `name`.
    static func run(_ name: String) -> [FrontendMessage] {
        [bind(name), .execute(Execute(portal: "", maxRows: 0)), .sync]
    }

    /// What the server answers to Bind, Execute, Sync.
    static let runAnswer: [BackendMessage] = [.bindComplete, .dataRow([ByteBuffer(string: "42")]), .commandComplete("SELECT 1"), .readyForQuery(.idle)]

    func testNamedParseReachesTheServerUnderABhNameAndTheClientSeesTheAnswerUnchanged() throws {
        let harness = try transactionHarness()
        let (client, server, serverName) = try prepare("s1", harness)

        XCTAssertTrue(serverName.hasPrefix("bh_"), serverName)
        XCTAssertNotEqual(serverName, "s1")
        let digest = serverName.dropFirst(3)
        XCTAssertEqual(digest.count, 32, serverName)
        XCTAssertTrue(digest.allSatisfy { "0123456789abcdef".contains($0) }, serverName)
        XCTAssertFalse(client.isClosed)
        XCTAssertEqual(harness.connector.connections.count, 1, "the login's connection was given back and taken again")
        XCTAssertTrue(server.isOpen)
    }

    func testSecondClientParsingTheSameTextOnTheSameConnectionIsAnsweredWithoutASecondParse() throws {
        let harness = try transactionHarness()
        let (_, server, serverName) = try prepare("s1", harness)

        let other = try harness.loginTrust()
        XCTAssertNil(other.newServer)
        XCTAssertNil(try harness.send([Self.parse("mine")] + Self.run("mine"), from: other.client), "the idle connection serves it")
        XCTAssertEqual(try server.receivedMessages(), [Self.bind(serverName), .execute(Execute(portal: "", maxRows: 0)), .sync],
                       "the connection already has the statement: no second Parse")
        XCTAssertEqual(try other.client.receivedMessages(), [.parseComplete], "the proxy answers the Parse itself")

        try server.send(raw: WireDecoding.encode(Self.runAnswer))
        harness.run()
        XCTAssertEqual(try other.client.receivedMessages(), Self.runAnswer)
    }

    func testBindOnAConnectionLackingTheStatementIsPrecededByAHiddenParse() throws {
        let harness = try transactionHarness()
        let (client, server, serverName) = try prepare("s1", harness)

        // Another client holds the first connection inside a transaction, so the next Bind needs a new one.
        let holder = try harness.loginTrust()
        XCTAssertNil(try harness.send(.query("BEGIN"), from: holder.client))
        XCTAssertEqual(try server.receivedMessages(), [.query("BEGIN")])
        try server.completeCommand("BEGIN", status: .inTransaction)
        harness.run()

        let second = try XCTUnwrap(try harness.send(Self.run("s1"), from: client),
                                   "a second connection is opened")
        XCTAssertEqual(try second.receivedMessages(),
                       [Self.parse(serverName)] + Self.run(serverName))

        try second.send(raw: WireDecoding.encode([.parseComplete] + Self.runAnswer))
        harness.run()
        XCTAssertEqual(try client.receivedMessages(), Self.runAnswer, "the client never sees the hidden Parse's ParseComplete")
        XCTAssertEqual(try server.receivedBytes().readableBytes, 0)
    }

    func testCloseOfAStatementIsAnsweredLocally() throws {
        let harness = try transactionHarness()
        let (client, server, _) = try prepare("s1", harness)

        XCTAssertNil(try harness.send(.close(Close(target: .statement("s1"))), .sync, from: client))
        XCTAssertEqual(try server.receivedMessages(), [.sync], "the Close never reaches the shared connection")
        XCTAssertEqual(try client.receivedMessages(), [.closeComplete])
        try server.send(.readyForQuery(.idle))
        harness.run()
        XCTAssertEqual(try client.receivedMessages(), [.readyForQuery(.idle)])

        // The name is free again for this client, while the connection keeps the statement for whoever needs it.
        // The text is known to prepare cleanly, so the Parse and its Sync need no server connection at all.
        XCTAssertNil(try harness.send(Self.parse("s1"), .sync, from: client))
        XCTAssertEqual(try server.receivedBytes().readableBytes, 0)
        XCTAssertEqual(try client.receivedMessages(), [.parseComplete, .readyForQuery(.idle)])
    }

    /// PostgreSQL creates no statement when its Parse fails, so the client may use the name again (drivers do, e.g.
    /// pgx names statements by their text and prepares again after an error).
    func testFailedParseLeavesTheClientsNameFree() throws {
        let harness = try transactionHarness()
        let session = try harness.loginTrust()
        let server = try XCTUnwrap(session.newServer)
        XCTAssertNil(try harness.send(.parse(Parse(name: "s1", query: "SELEC 1", parameterTypes: [])), .sync, from: session.client))
        XCTAssertEqual(try server.receivedMessages().count, 2)
        try server.send(.error("42601", "syntax error at or near \"SELEC\""), .readyForQuery(.idle))
        harness.run()
        XCTAssertEqual(try session.client.receivedMessages().errors.map(\.sqlState), ["42601"])

        XCTAssertNil(try harness.send(Self.parse("s1"), .sync, from: session.client))
        let received = try server.receivedMessages()
        XCTAssertEqual(try session.client.receivedMessages().errors.map(\.sqlState), [], "the failed Parse created nothing to clash with")
        guard received.count == 2, case .parse(let parse) = received[0] else {
            return XCTFail("expected the Parse to reach the server, got \(received)")
        }
        XCTAssertEqual(parse.query, Self.text)
        XCTAssertEqual(received[1], .sync)
    }

    /// After an error the server skips every message up to Sync, so a Parse behind the error creates nothing; the
    /// proxy must not believe the connection has that statement, or every client's Bind of it there would fail.
    func testParseSkippedBehindAnErrorIsParsedAgainWhenAClientNeedsIt() throws {
        let harness = try transactionHarness()
        let session = try harness.loginTrust()
        let server = try XCTUnwrap(session.newServer)
        XCTAssertNil(try harness.send(.parse(Parse(name: "bad", query: "SELEC 1", parameterTypes: [])), Self.parse("s1"), .sync,
                                      from: session.client))
        let received = try server.receivedMessages()
        guard received.count == 3, case .parse(let skipped) = received[1] else { return XCTFail("got \(received)") }
        try server.send(.error("42601", "syntax error at or near \"SELEC\""), .readyForQuery(.idle))
        harness.run()
        XCTAssertEqual(try session.client.receivedMessages().errors.map(\.sqlState), ["42601"])

        // Another client prepares the same text on the same (only idle) connection.
        let other = try harness.loginTrust()
        XCTAssertNil(try harness.send([Self.parse("mine")] + Self.run("mine"), from: other.client))
        XCTAssertEqual(try server.receivedMessages(), [Self.parse(skipped.name)] + Self.run(skipped.name),
                       "the server never created \(skipped.name): it must be parsed before the Bind")
    }

    func testSessionModePassesStatementNamesThrough() throws {
        let harness = try ProxyHarness()
        let session = try harness.loginTrust()
        let server = try XCTUnwrap(session.newServer)
        let messages: [FrontendMessage] = [Self.parse("s1")] + Self.run("s1")
            + [.close(Close(target: .statement("s1"))), .sync]
        try session.client.send(raw: WireDecoding.encode(messages))
        harness.run()
        XCTAssertEqual(try server.receivedMessages(), messages)
    }

    // MARK: Helpers

    private func transactionHarness() throws -> ProxyHarness {
        var configuration = TestConfiguration()
        configuration.poolMode = "transaction"
        return try ProxyHarness(configuration)
    }

    /// Logs in the pool's first client and has it prepare and run `Self.text` as `name`; returns the client, the
    /// connection it ran on (idle in the pool again) and the name the server knows the statement by.
    private func prepare(_ name: String, _ harness: ProxyHarness) throws -> (TestClient, FakeServer, String) {
        let session = try harness.loginTrust()
        let server = try XCTUnwrap(session.newServer)
        guard try harness.send([Self.parse(name)] + Self.run(name), from: session.client) == nil else {
            throw TestFailure("the login's connection should have been reused")
        }
        let received = try server.receivedMessages()
        guard received.count == 4, case .parse(let parse) = received[0] else {
            throw TestFailure("expected Parse, Bind, Execute, Sync, got \(received)")
        }
        XCTAssertEqual(parse.query, Self.text)
        XCTAssertEqual(parse.parameterTypes, Self.types)
        XCTAssertEqual(Array(received.dropFirst()), Self.run(parse.name), "the Bind names the statement as the server knows it")

        let answer = WireDecoding.encode([.parseComplete] + Self.runAnswer)
        try server.send(raw: answer)
        harness.run()
        XCTAssertEqual(try session.client.receivedBytes(), answer)
        return (session.client, server, parse.name)
    }
}

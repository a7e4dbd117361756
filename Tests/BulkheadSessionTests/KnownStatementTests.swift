// A Parse of a statement some connection already prepared cleanly is answered without a server connection.

@testable import BulkheadSession
import BulkheadWire
import NIOCore
import XCTest

final class KnownStatementTests: XCTestCase {
    private let text = "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2"

    private func parse(_ name: String) -> Frame {
        FrontendMessage.parse(Parse(name: name, query: text, parameterTypes: [])).frame
    }

    private func bind(_ statement: String) -> Frame {
        FrontendMessage.bind(Bind(portal: "", statement: statement, parameterFormats: [], parameters: [ByteBuffer(string: "1")],
                                  resultFormats: [])).frame
    }

    /// A registry that has learned `text` from one client's Parse on a server connection.
    private func registryKnowingTheText() -> PreparedStatementRegistry {
        let registry = PreparedStatementRegistry()
        var first = loggedIn(mode: .transaction, knownStatements: registry)
        _ = first.clientFrame(parse("P_0"))
        _ = first.clientFrame(FrontendMessage.sync.frame)
        _ = first.serverLeased(link(id: 2))
        _ = first.serverFrames(BackendMessage.parseComplete.encoded)
        XCTAssertNotNil(first.serverFrame(BackendMessage.readyForQuery(.idle).frame).release)
        return registry
    }

    func testAKnownStatementIsParsedAndSyncedWithoutAServerConnection() {
        var session = loggedIn(mode: .transaction, knownStatements: registryKnowingTheText())
        let parsed = session.clientFrame(parse("P_0"))
        XCTAssertFalse(parsed.acquireServer)
        XCTAssertEqual(backend(parsed.toClient), [.parseComplete])
        let synced = session.clientFrame(FrontendMessage.sync.frame)
        XCTAssertFalse(synced.acquireServer)
        XCTAssertEqual(backend(synced.toClient), [.readyForQuery(.idle)])
        // Its first use prepares it, hidden, on the connection it lands on.
        _ = session.clientFrame(bind("P_0"))
        _ = session.clientFrame(FrontendMessage.execute(Execute(portal: "", maxRows: 0)).frame)
        XCTAssertTrue(session.clientFrame(FrontendMessage.sync.frame).acquireServer == false, "already acquiring")
        let leased = session.serverLeased(link(id: 3))
        let sent = frontend(leased.toServer)
        guard sent.count == 4, case .parse(let hidden) = sent[0], case .bind(let serverBind) = sent[1] else {
            return XCTFail("expected hidden Parse, Bind, Execute, Sync; got \(sent)")
        }
        XCTAssertEqual(hidden.query, text)
        XCTAssertEqual(serverBind.statement, hidden.name)
        XCTAssertTrue(session.serverFrame(BackendMessage.parseComplete.frame).toClient.isEmpty, "the hidden ParseComplete is swallowed")
        XCTAssertEqual(backend(session.serverFrame(BackendMessage.bindComplete.frame).toClient), [.bindComplete])
    }

    func testAnUnknownStatementStillWaitsForAServer() {
        var session = loggedIn(mode: .transaction, knownStatements: PreparedStatementRegistry())
        let parsed = session.clientFrame(parse("P_0"))
        XCTAssertTrue(parsed.acquireServer)
        XCTAssertTrue(parsed.toClient.isEmpty)
    }

    func testAStatementThatFailedOnTheServerIsNotLearned() {
        let registry = PreparedStatementRegistry()
        var first = loggedIn(mode: .transaction, knownStatements: registry)
        _ = first.clientFrame(parse("P_0"))
        _ = first.clientFrame(FrontendMessage.sync.frame)
        _ = first.serverLeased(link(id: 2))
        _ = first.serverFrame(BackendMessage.error("42P01", "relation \"pgbench_accounts\" does not exist").frame)
        _ = first.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        var second = loggedIn(mode: .transaction, knownStatements: registry)
        XCTAssertTrue(second.clientFrame(parse("P_0")).acquireServer)
    }

    func testOnlyAnIdleClientWithNothingQueuedIsAnsweredLocally() {
        let registry = registryKnowingTheText()
        // Behind a message that already waits for a server, the Parse waits too, so answers keep their order.
        var queuedBehind = loggedIn(mode: .transaction, knownStatements: registry)
        XCTAssertTrue(queuedBehind.clientFrame(FrontendMessage.query("SELECT 1").frame).acquireServer)
        XCTAssertTrue(queuedBehind.clientFrame(parse("P_0")).toClient.isEmpty)
        // Session pooling holds its connection: nothing to save.
        var session = loggedIn(mode: .session, knownStatements: registry)
        XCTAssertTrue(session.clientFrame(parse("P_0")).toClient.isEmpty)
        // A name the client already uses gets PostgreSQL's error from the usual path.
        var twice = loggedIn(mode: .transaction, knownStatements: registry)
        _ = twice.clientFrame(parse("P_0"))
        _ = twice.clientFrame(FrontendMessage.sync.frame)
        XCTAssertTrue(twice.clientFrame(parse("P_0")).acquireServer)
    }

    func testOneOwnerFillingItsShareLeavesOthersLearning() {
        let registry = PreparedStatementRegistry(capacityPerOwner: 2)
        let flooder = PreparedStatementRegistry.Owner(database: "docs", user: "globex_app")
        let other = PreparedStatementRegistry.Owner(database: "docs", user: "acme_app")
        for name in ["bh_1", "bh_2", "bh_3"] { registry.insert(name, for: flooder) }
        XCTAssertTrue(registry.contains("bh_2", for: flooder))
        XCTAssertFalse(registry.contains("bh_3", for: flooder), "beyond its share, nothing more is learned")
        XCTAssertFalse(registry.contains("bh_1", for: other), "statements are known per owner")
        registry.insert("bh_9", for: other)
        XCTAssertTrue(registry.contains("bh_9", for: other))
    }

    func testASyncAfterAMessageThatWentToTheServerIsTheServers() {
        var session = loggedIn(mode: .transaction, knownStatements: registryKnowingTheText())
        XCTAssertEqual(backend(session.clientFrame(parse("P_0")).toClient), [.parseComplete])
        XCTAssertTrue(session.clientFrame(bind("P_0")).acquireServer)
        XCTAssertTrue(session.clientFrame(FrontendMessage.sync.frame).toClient.isEmpty, "the server answers this Sync")
        let sent = frontend(session.serverLeased(link(id: 3)).toServer)
        XCTAssertEqual(sent.last, .sync)
    }
}

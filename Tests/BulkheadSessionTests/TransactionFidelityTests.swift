// Transaction-pooling fidelity in the session state machine: statement renaming, hidden prepares, settings read back, pinning.

@testable import BulkheadSession
import BulkheadWire
import NIOCore
import XCTest

final class TransactionFidelityTests: XCTestCase {
    private let parse = Parse(name: "s1", query: "SELECT $1::int", parameterTypes: [])

    private func bind(_ statement: String) -> Frame {
        FrontendMessage.bind(Bind(portal: "", statement: statement, parameterFormats: [], parameters: [ByteBuffer(string: "1")], resultFormats: [])).frame
    }

    /// A transaction-mode session holding link `id` after sending `frames`.
    private func attached(_ frames: [Frame], link serverLink: ServerLink = link(id: 2)) -> (ClientSession, SessionAction) {
        var session = loggedIn(mode: .transaction)
        for frame in frames.dropLast() { _ = session.clientFrame(frame) }
        _ = frames.last.map { session.clientFrame($0) }
        let action = session.serverLeased(serverLink)
        return (session, action)
    }

    func testNamedStatementsAreRenamedOnTheServer() {
        let (_, action) = attached([FrontendMessage.parse(parse).frame, bind("s1"), FrontendMessage.sync.frame])
        let sent = frontend(action.toServer)
        guard case .parse(let serverParse)? = sent.first, case .bind(let serverBind)? = sent.dropFirst().first else {
            return XCTFail("expected Parse then Bind, got \(sent)")
        }
        XCTAssertTrue(serverParse.name.hasPrefix("bh_"), serverParse.name)
        XCTAssertEqual(serverParse.query, parse.query)
        XCTAssertEqual(serverBind.statement, serverParse.name)
        XCTAssertEqual(sent.last, .sync)
    }

    func testStatementAlreadyOnTheConnectionIsAnsweredLocally() {
        var (session, first) = attached([FrontendMessage.parse(parse).frame, FrontendMessage.sync.frame])
        _ = first
        _ = session.serverFrame(BackendMessage.parseComplete.frame)
        let done = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        guard let released = done.release?.link else { return XCTFail("not released") }
        // A second client parses the same text on the same connection: the server sees no second Parse.
        var other = loggedIn(mode: .transaction)
        _ = other.clientFrame(FrontendMessage.parse(Parse(name: "other", query: parse.query, parameterTypes: [])).frame)
        _ = other.clientFrame(FrontendMessage.sync.frame)
        let action = other.serverLeased(released)
        XCTAssertEqual(frontend(action.toServer), [.sync])
        XCTAssertEqual(backend(action.toClient), [.parseComplete], "ParseComplete comes from the proxy")
        XCTAssertEqual(backend(other.serverFrame(BackendMessage.readyForQuery(.idle).frame).toClient), [.readyForQuery(.idle)])
    }

    func testBindOnAConnectionLackingTheStatementPreparesItHiddenFirst() {
        var session = loggedIn(mode: .transaction)
        _ = session.clientFrame(FrontendMessage.parse(parse).frame)
        _ = session.clientFrame(FrontendMessage.sync.frame)
        _ = session.serverLeased(link(id: 2))
        _ = session.serverFrame(BackendMessage.parseComplete.frame)
        _ = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        // The next transaction lands on a different connection that never saw the statement.
        _ = session.clientFrame(bind("s1"))
        _ = session.clientFrame(FrontendMessage.execute(Execute(portal: "", maxRows: 0)).frame)
        _ = session.clientFrame(FrontendMessage.sync.frame)
        let action = session.serverLeased(link(id: 3))
        let sent = frontend(action.toServer)
        guard case .parse(let hidden)? = sent.first else { return XCTFail("expected a hidden Parse, got \(sent)") }
        XCTAssertTrue(hidden.name.hasPrefix("bh_"))
        XCTAssertTrue(session.serverFrame(BackendMessage.parseComplete.frame).toClient.isEmpty, "the hidden ParseComplete is swallowed")
        XCTAssertEqual(backend(session.serverFrame(BackendMessage.bindComplete.frame).toClient), [.bindComplete])
        XCTAssertEqual(backend(session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame).toClient), [.commandComplete("SELECT 1")])
        XCTAssertNotNil(session.serverFrame(BackendMessage.readyForQuery(.idle).frame).release)
    }

    func testCloseOfAStatementIsAnsweredLocallyAndUnknownNamesFailLikePostgreSQL() {
        var session = loggedIn(mode: .transaction)
        _ = session.clientFrame(FrontendMessage.parse(parse).frame)
        _ = session.clientFrame(FrontendMessage.close(Close(target: .statement("s1"))).frame)
        _ = session.clientFrame(bind("s1"))
        _ = session.clientFrame(FrontendMessage.sync.frame)
        let action = session.serverLeased(link(id: 2))
        XCTAssertEqual(frontend(action.toServer).count, 2, "Parse and Sync only: Close is local and the Bind is refused")
        var seen = backend(action.toClient)
        seen += backend(session.serverFrame(BackendMessage.parseComplete.frame).toClient)
        seen += backend(session.serverFrame(BackendMessage.readyForQuery(.idle).frame).toClient)
        guard seen.count == 4 else { return XCTFail("expected four answers, got \(seen)") }
        XCTAssertEqual(seen[0], .parseComplete)
        XCTAssertEqual(seen[1], .closeComplete, "answered locally, in order")
        guard case .errorResponse(let fields) = seen[2] else { return XCTFail("expected an error, got \(seen)") }
        XCTAssertEqual(fields.sqlState, "26000")
        XCTAssertEqual(seen[3], .readyForQuery(.idle))
    }

    func testSettingsChangedBySQLAreReadBackBeforeTheConnectionGoes() {
        var session = loggedIn(mode: .transaction)
        _ = session.clientFrame(FrontendMessage.query("SET search_path = app").frame, effects: StatementEffects(settings: ["search_path"]))
        _ = session.serverLeased(link(id: 2))
        _ = session.serverFrame(BackendMessage.commandComplete("SET").frame)
        let ready = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertNil(ready.release, "held until the setting is read back")
        guard case .query(let capture)? = frontend(ready.toServer).first else { return XCTFail("no read-back query") }
        XCTAssertTrue(capture.contains("current_setting(E'search_path', true)"), capture)
        XCTAssertEqual(backend(ready.toClient), [.readyForQuery(.idle)])
        XCTAssertTrue(session.serverFrame(BackendMessage.dataRow([ByteBuffer(string: "app")]).frame).toClient.isEmpty)
        _ = session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame)
        let done = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertNotNil(done.release)
        XCTAssertEqual(session.wanted["search_path"], "app")
        // The next connection gets it applied first.
        _ = session.clientFrame(FrontendMessage.query("SELECT 1").frame)
        guard case .query(let sync)? = frontend(session.serverLeased(link(id: 3)).toServer).first else { return XCTFail("no sync") }
        XCTAssertTrue(sync.contains("set_config(E'search_path', E'app', false)"), sync)
    }

    func testSessionStatePinsTheConnectionUntilTheClientLeaves() {
        var session = loggedIn(mode: .transaction)
        _ = session.clientFrame(FrontendMessage.query("CREATE TEMP TABLE t(x int)").frame, effects: StatementEffects(sessionState: "a temporary table"))
        _ = session.serverLeased(link(id: 2))
        _ = session.serverFrame(BackendMessage.commandComplete("CREATE TABLE").frame)
        let ready = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertNil(ready.release)
        XCTAssertEqual(frontend(ready.toServer), frontend([ClientSession.pinCheckQuery]),
                       "the server is asked whether the state really exists (the statement might have failed)")
        answerPinCheck(&session, left: "1")
        XCTAssertTrue(session.isPinned)
        XCTAssertEqual(session.clientClosed().release?.disposition, .reset, "a pinned connection is reset before reuse")
    }

    /// Answers the pin check in flight with the count of what is left.
    private func answerPinCheck(_ session: inout ClientSession, left: String) {
        XCTAssertTrue(session.serverFrame(BackendMessage.rowDescription([]).frame).toClient.isEmpty)
        XCTAssertTrue(session.serverFrame(BackendMessage.dataRow([ByteBuffer(string: left)]).frame).toClient.isEmpty)
        XCTAssertTrue(session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame).toClient.isEmpty)
        lastPinCheck = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
    }

    private var lastPinCheck = SessionAction()

    /// A pin lasts only as long as what pinned: once UNLISTEN (or an unlock, a DROP, a CLOSE, the end of the
    /// transaction) leaves nothing, the connection goes back to the pool; the state checked is the server's.
    func testPinIsLiftedWhenNothingIsLeft() {
        var session = loggedIn(mode: .transaction)
        _ = session.clientFrame(FrontendMessage.query("LISTEN jobs").frame, effects: StatementEffects(sessionState: "LISTEN"))
        _ = session.serverLeased(link(id: 2))
        _ = session.serverFrame(BackendMessage.commandComplete("LISTEN").frame)
        _ = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        answerPinCheck(&session, left: "1")
        XCTAssertNil(lastPinCheck.release)

        // A statement that cannot end anything asks nothing.
        let select = session.clientFrame(FrontendMessage.query("SELECT 1").frame, effects: StatementEffects(route: .read))
        XCTAssertEqual(frontend(select.toServer), [.query("SELECT 1")])
        _ = session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame)
        let afterSelect = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertTrue(afterSelect.toServer.isEmpty)
        XCTAssertNil(afterSelect.release)

        var unlisten = StatementEffects()
        unlisten.mayEndSessionState = true
        _ = session.clientFrame(FrontendMessage.query("UNLISTEN *").frame, effects: unlisten)
        _ = session.serverFrame(BackendMessage.commandComplete("UNLISTEN").frame)
        let ready = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertEqual(backend(ready.toClient), [.readyForQuery(.idle)], "the client does not wait for the check")
        XCTAssertNil(ready.release)
        answerPinCheck(&session, left: "0")
        XCTAssertFalse(session.isPinned)
        XCTAssertEqual(lastPinCheck.release?.disposition, .reuse, "back to the pool, state-free")
        XCTAssertEqual(lastPinCheck.release?.link.id, 2)
    }

    /// SET SESSION CHARACTERISTICS leaves nothing a check could count: its pin stays until the client leaves.
    func testAPinThatCannotBeCheckedStays() {
        var session = loggedIn(mode: .transaction)
        var characteristics = StatementEffects(sessionState: "SET SESSION CHARACTERISTICS")
        characteristics.pinsForGood = true
        _ = session.clientFrame(FrontendMessage.query("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY").frame, effects: characteristics)
        _ = session.serverLeased(link(id: 2))
        _ = session.serverFrame(BackendMessage.commandComplete("SET").frame)
        let ready = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertTrue(ready.toServer.isEmpty, "no check")
        XCTAssertNil(ready.release)
        XCTAssertTrue(session.isPinned)
    }

    func testRejectModeHasTheServerRaiseTheRefusal() {
        var session = ClientSession(backendKey: clientKey, randomness: fixedRandomness,
                                    settings: .init(poolModeDefault: .transaction, rejectSessionFeatures: true))
        _ = session.startupPacket(startup()) { _ in policy(.trust, mode: .transaction) }
        _ = session.serverLeased(link())
        _ = session.clientFrame(FrontendMessage.query("LISTEN ch").frame, effects: StatementEffects(sessionState: "LISTEN"))
        let action = session.serverLeased(link(id: 2))
        guard case .query(let sql)? = frontend(action.toServer).first else { return XCTFail("nothing sent") }
        XCTAssertTrue(sql.hasPrefix("DO $bulkhead$ BEGIN RAISE EXCEPTION USING ERRCODE = '0A000'"), sql)
        XCTAssertFalse(sql.contains("LISTEN ch;"), "the refused statement never reaches the server")
        XCTAssertFalse(session.isPinned)
        let error = session.serverFrame(BackendMessage.error("0A000", "bulkhead: LISTEN needs a session of its own").frame)
        XCTAssertEqual(error.toClient.count, 1, "the server's error reaches the client")
    }

    func testRefusalMessagesCannotEscapeTheirQuoting() {
        let sql = RefusalStatement.sql(sqlState: "42501'; DROP", message: "it's $bulkhead$ END; DROP TABLE x; --")
        XCTAssertFalse(sql.contains("$bulkhead$ END; DROP"), sql)
        XCTAssertTrue(sql.contains("ERRCODE = '42501'"), sql)
        XCTAssertTrue(sql.hasSuffix("END $bulkhead$"), sql)
    }

    func testSessionModePassesStatementNamesThrough() {
        var session = loggedIn(mode: .session)
        let frame = FrontendMessage.parse(parse).frame
        XCTAssertEqual(session.clientFrame(frame).toServer, [frame.raw])
    }
}

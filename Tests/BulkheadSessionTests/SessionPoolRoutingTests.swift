// Checks read routing under session pooling: the client's own connection steps aside for autocommit reads only.

@testable import BulkheadSession
import BulkheadRouting
import BulkheadWire
import NIOCore
import XCTest

final class SessionPoolRoutingTests: XCTestCase {
    private let read = StatementEffects(route: .read)
    private let write = StatementEffects(route: .write)

    /// A session-pooled client with routing and read-your-writes on, logged in on its own connection (ID 1).
    private func homeSession() -> ClientSession {
        let session = loggedIn(mode: .session, routing: true)
        XCTAssertTrue(session.isReady)
        return session
    }

    /// Runs one autocommit read to its end on a replica lease (ID 2) and returns the actions at its end.
    private func readOnReplica(_ session: inout ClientSession, sql: String = "SELECT 1") -> SessionAction {
        let sent = session.clientFrame(FrontendMessage.query(sql).frame, effects: read)
        XCTAssertTrue(sent.parkHome)
        XCTAssertTrue(sent.acquireServer)
        XCTAssertTrue(sent.routeFacts.isReadOnly)
        XCTAssertTrue(sent.toServer.isEmpty, "nothing goes to the client's own connection")
        let leased = session.serverLeased(link(id: 2), onReplica: true)
        XCTAssertEqual(frontend(leased.toServer).last, .query(sql))
        _ = session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame)
        return session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
    }

    func testAutocommitReadRunsOnAReplicaLeaseAndTheOwnConnectionComesBack() {
        var session = homeSession()
        let end = readOnReplica(&session)
        XCTAssertEqual(backend(end.toClient), [.readyForQuery(.idle)])
        XCTAssertEqual(end.release?.link.id, 2)
        XCTAssertEqual(end.release?.disposition, .reuse)
        XCTAssertTrue(end.resumeHome)
        XCTAssertTrue(session.hasParkedHome, "taken back only when the handler has swapped connections")
        XCTAssertTrue(session.homeResumed().toServer.isEmpty)
        XCTAssertFalse(session.hasParkedHome)
        XCTAssertEqual(session.link?.id, 1)

        // A write goes straight to the client's own connection.
        let insert = session.clientFrame(FrontendMessage.query("INSERT INTO t VALUES (1)").frame, effects: write)
        XCTAssertFalse(insert.parkHome)
        XCTAssertEqual(frontend(insert.toServer), [.query("INSERT INTO t VALUES (1)"), .query(RoutingQueries.writePosition)])
    }

    func testReadsStayHomeInsideATransactionAndForWorkThatLeavesState() {
        var session = homeSession()
        let begin = StatementEffects(route: .control(.begin(readOnly: true)))
        XCTAssertFalse(session.clientFrame(FrontendMessage.query("BEGIN READ ONLY").frame, effects: begin).parkHome,
                       "a transaction keeps everything it does on the client's own connection")
        _ = session.serverFrame(BackendMessage.commandComplete("BEGIN").frame)
        _ = session.serverFrame(BackendMessage.readyForQuery(.inTransaction).frame)
        XCTAssertFalse(session.clientFrame(FrontendMessage.query("SELECT 1").frame, effects: read).parkHome)
        _ = session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame)
        _ = session.serverFrame(BackendMessage.readyForQuery(.inTransaction).frame)
        _ = session.clientFrame(FrontendMessage.query("COMMIT").frame, effects: StatementEffects(route: .control(.commit)))
        _ = session.serverFrame(BackendMessage.commandComplete("COMMIT").frame)
        _ = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)

        var setting = read
        setting.settings = ["timezone"]
        XCTAssertFalse(session.clientFrame(FrontendMessage.query("SET TimeZone = 'UTC'").frame, effects: setting).parkHome)
        _ = session.serverFrame(BackendMessage.commandComplete("SET").frame)
        let after = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertEqual(frontend(after.toServer), [.query("SELECT pg_catalog.current_setting(E'timezone', true)")],
                       "what SET left is read back, for the next replica lease")
        XCTAssertTrue(after.toClient.isEmpty, "ReadyForQuery waits until it is known")
        _ = session.serverFrame(BackendMessage.rowDescription([]).frame)
        _ = session.serverFrame(BackendMessage.dataRow([ByteBuffer(string: "UTC")]).frame)
        _ = session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame)
        XCTAssertEqual(backend(session.serverFrame(BackendMessage.readyForQuery(.idle).frame).toClient), [.readyForQuery(.idle)])
        XCTAssertTrue(session.clientFrame(FrontendMessage.query("SELECT 1").frame, effects: read).parkHome,
                      "a SET does not stop routing")

        let named = FrontendMessage.parse(Parse(name: "s1", query: "SELECT 1", parameterTypes: [])).frame
        var idle = homeSession()
        XCTAssertFalse(idle.clientFrame(named, effects: read).parkHome, "a named statement stays where its Binds look for it")

        var locked = homeSession()
        var lock = read
        lock.sessionState = "an advisory lock"
        XCTAssertFalse(locked.clientFrame(FrontendMessage.query("SELECT pg_advisory_lock(1)").frame, effects: lock).parkHome)
        _ = locked.serverFrame(BackendMessage.commandComplete("SELECT 1").frame)
        _ = locked.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertFalse(locked.clientFrame(FrontendMessage.query("SELECT 1").frame, effects: read).parkHome,
                       "once the session has state of its own, reads may depend on it")
    }

    func testReplicaLeaseGetsTheSettingsTheClientChanged() {
        var session = homeSession()
        var setting = read
        setting.settings = ["timezone"]
        _ = session.clientFrame(FrontendMessage.query("SET TimeZone = 'Asia/Tokyo'").frame, effects: setting)
        _ = session.serverFrame(BackendMessage.parameterStatus(name: "TimeZone", value: "Asia/Tokyo").frame)
        _ = session.serverFrame(BackendMessage.commandComplete("SET").frame)
        _ = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        _ = session.serverFrame(BackendMessage.rowDescription([]).frame)
        _ = session.serverFrame(BackendMessage.dataRow([ByteBuffer(string: "Asia/Tokyo")]).frame)
        _ = session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame)
        _ = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)

        XCTAssertTrue(session.clientFrame(FrontendMessage.query("SHOW TimeZone").frame, effects: read).parkHome)
        let leased = session.serverLeased(link(id: 2), onReplica: true)
        let sent = frontend(leased.toServer)
        XCTAssertEqual(sent.count, 2)
        guard case .query(let sync)? = sent.first else { return XCTFail("expected the settings first, got \(sent)") }
        XCTAssertTrue(sync.contains("Asia/Tokyo"), sync)
        XCTAssertEqual(sent.last, .query("SHOW TimeZone"))
    }

    func testWriteBehindAReplicaReadWaitsForTheOwnConnection() {
        var session = homeSession()
        _ = session.clientFrame(FrontendMessage.query("SELECT 1").frame, effects: read)
        _ = session.serverLeased(link(id: 2), onReplica: true)
        let insert = session.clientFrame(FrontendMessage.query("INSERT INTO t VALUES (1)").frame, effects: write)
        XCTAssertTrue(insert.toServer.isEmpty, "a replica lease takes no writes")
        _ = session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame)
        let end = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertEqual(end.release?.link.id, 2)
        XCTAssertTrue(end.resumeHome)
        XCTAssertFalse(end.acquireServer, "the write needs no new lease: the client has its own connection")
        let resumed = session.homeResumed()
        XCTAssertEqual(frontend(resumed.toServer), [.query("INSERT INTO t VALUES (1)"), .query(RoutingQueries.writePosition)])
        XCTAssertEqual(session.link?.id, 1)
    }

    func testRoutingChoosesThePrimaryAndTheOwnConnectionTakesTheRead() {
        var session = homeSession()
        XCTAssertTrue(session.clientFrame(FrontendMessage.query("SELECT 1").frame, effects: read).parkHome)
        // The handler found the primary best (fresh enough, or no replica): it takes the read on the home connection.
        let resumed = session.homeResumed()
        XCTAssertEqual(frontend(resumed.toServer), [.query("SELECT 1")])
        XCTAssertFalse(resumed.acquireServer)
        XCTAssertEqual(session.link?.id, 1)
        // It is no longer waiting for a lease.
        XCTAssertTrue(session.clientFrame(FrontendMessage.query("SELECT 2").frame, effects: read).toServer.count == 1)
    }

    func testNoReplicaReachableFallsBackToTheOwnConnection() {
        var session = homeSession()
        _ = session.clientFrame(FrontendMessage.query("SELECT 1").frame, effects: read)
        let unavailable = session.serverUnavailable("replica down")
        XCTAssertTrue(unavailable.resumeHome)
        XCTAssertNil(unavailable.close, "the session goes on")
        XCTAssertEqual(frontend(session.homeResumed().toServer), [.query("SELECT 1")])
    }

    func testLeavingReleasesBothConnections() {
        var session = homeSession()
        _ = session.clientFrame(FrontendMessage.query("SELECT pg_sleep(10)").frame, effects: read)
        _ = session.serverLeased(link(id: 2), onReplica: true)
        let left = session.clientClosed()
        XCTAssertEqual(left.release?.link.id, 2)
        XCTAssertEqual(left.release?.disposition, .close, "a request was in flight on the replica")
        XCTAssertEqual(left.releaseHome?.link.id, 1)
        XCTAssertEqual(left.releaseHome?.disposition, .reset)

        var waiting = homeSession()
        _ = waiting.clientFrame(FrontendMessage.query("SELECT 1").frame, effects: read)
        let gone = waiting.clientClosed()
        XCTAssertTrue(gone.cancelAcquire)
        XCTAssertEqual(gone.releaseHome?.link.id, 1)
    }

    func testOwnConnectionFailingWhileSetAsideEndsTheSession() {
        var session = homeSession()
        _ = session.clientFrame(FrontendMessage.query("SELECT 1").frame, effects: read)
        _ = session.serverLeased(link(id: 2), onReplica: true)

        let notice = BackendMessage.noticeResponse(ErrorFields(fields: [ErrorField(code: UInt8(ascii: "M"), value: "hello")])).encoded
        XCTAssertEqual(session.homeFrames(notice).toClient.count, 1, "a notice is passed on")
        XCTAssertNil(session.homeFrames(notice).close)

        let fatal = session.homeFrames(BackendMessage.fatal("57P01", "terminating connection due to administrator command"))
        XCTAssertEqual(fatal.close, .now)
        XCTAssertEqual(fatal.releaseHome?.disposition, .close)
        XCTAssertEqual(fatal.release?.link.id, 2)
        guard case .errorResponse(let fields)? = backend(fatal.toClient).last else { return XCTFail("expected an error") }
        XCTAssertEqual(fields.sqlState, SQLState.connectionFailure)

        var closed = homeSession()
        _ = closed.clientFrame(FrontendMessage.query("SELECT 1").frame, effects: read)
        let lost = closed.homeClosed()
        XCTAssertEqual(lost.close, .now)
        XCTAssertNil(lost.releaseHome, "a closed connection is the pool's to forget")
    }
}

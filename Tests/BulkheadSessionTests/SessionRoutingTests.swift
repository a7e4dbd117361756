// Checks the session's part in routing: replica leases take only reads, and writes learn their WAL position in time.

@testable import BulkheadSession
import BulkheadRouting
import BulkheadWire
import NIOCore
import XCTest

final class SessionRoutingTests: XCTestCase {
    private let write = StatementEffects(route: .write)
    private let read = StatementEffects(route: .read)
    private let commit = StatementEffects(route: .control(.commit))

    /// A transaction-pooled session with routing and read-your-writes on, logged in and holding nothing.
    private func routedSession() -> ClientSession {
        loggedIn(mode: .transaction, routing: true)
    }

    private func lsnRow(_ text: String) -> Frame {
        BackendMessage.dataRow([ByteBuffer(string: text)]).frame
    }

    /// An autocommit write: the WAL-position query goes out in the same write as the client's Query, and the
    /// client's ReadyForQuery is held until its answer, so no read can be routed before the position is known.
    func testAutocommitWriteLearnsItsPositionBeforeTheClientMayReadAgain() {
        var session = routedSession()
        let sent = session.clientFrame(FrontendMessage.query("INSERT INTO t VALUES (1)").frame, effects: write)
        XCTAssertTrue(sent.acquireServer)
        XCTAssertFalse(sent.routeFacts.isReadOnly, "the lease is routed as a write")
        let leased = session.serverLeased(link(id: 2))
        XCTAssertEqual(frontend(leased.toServer), [.query("INSERT INTO t VALUES (1)"), .query(RoutingQueries.writePosition)])

        _ = session.serverFrame(BackendMessage.commandComplete("INSERT 0 1").frame)
        let ready = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertTrue(ready.toClient.isEmpty, "ReadyForQuery waits for the write position")
        XCTAssertNil(ready.release)

        XCTAssertTrue(session.serverFrame(BackendMessage.rowDescription([]).frame).toClient.isEmpty)
        XCTAssertTrue(session.serverFrame(lsnRow("0/3000060")).toClient.isEmpty)
        XCTAssertTrue(session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame).toClient.isEmpty)
        let done = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertEqual(done.learnedWriteLSN, LSN("0/3000060"))
        XCTAssertEqual(backend(done.toClient), [.readyForQuery(.idle)])
        XCTAssertEqual(done.release?.disposition, .reuse)
    }

    /// Inside an explicit transaction the position is asked only with the COMMIT: earlier it would precede the commit.
    func testExplicitTransactionAsksOnlyAtCommit() {
        var session = routedSession()
        _ = session.clientFrame(FrontendMessage.query("BEGIN").frame, effects: StatementEffects(route: .control(.begin(readOnly: nil))))
        XCTAssertEqual(frontend(session.serverLeased(link(id: 2)).toServer), [.query("BEGIN")])
        _ = session.serverFrame(BackendMessage.commandComplete("BEGIN").frame)
        _ = session.serverFrame(BackendMessage.readyForQuery(.inTransaction).frame)

        let insert = session.clientFrame(FrontendMessage.query("INSERT INTO t VALUES (1)").frame, effects: write)
        XCTAssertEqual(frontend(insert.toServer), [.query("INSERT INTO t VALUES (1)")])
        _ = session.serverFrame(BackendMessage.commandComplete("INSERT 0 1").frame)
        XCTAssertEqual(backend(session.serverFrame(BackendMessage.readyForQuery(.inTransaction).frame).toClient), [.readyForQuery(.inTransaction)])

        let commitSent = session.clientFrame(FrontendMessage.query("COMMIT").frame, effects: commit)
        XCTAssertEqual(frontend(commitSent.toServer), [.query("COMMIT"), .query(RoutingQueries.writePosition)])
    }

    /// A position read while the client's transaction was still open proves nothing: it is not recorded, and the
    /// next ReadyForQuery `I` asks again.
    func testPositionReadInsideATransactionIsDiscarded() {
        var session = routedSession()
        // The client pipelines BEGIN and INSERT in one Query: the position query runs inside the transaction.
        _ = session.clientFrame(FrontendMessage.query("BEGIN; INSERT INTO t VALUES (1)").frame, effects: write)
        let leased = session.serverLeased(link(id: 2))
        XCTAssertEqual(frontend(leased.toServer).count, 2)
        _ = session.serverFrame(BackendMessage.commandComplete("BEGIN").frame)
        _ = session.serverFrame(BackendMessage.commandComplete("INSERT 0 1").frame)
        XCTAssertEqual(backend(session.serverFrame(BackendMessage.readyForQuery(.inTransaction).frame).toClient), [.readyForQuery(.inTransaction)])
        _ = session.serverFrame(lsnRow("0/1000000"))
        _ = session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame)
        XCTAssertNil(session.serverFrame(BackendMessage.readyForQuery(.inTransaction).frame).learnedWriteLSN)

        let commitSent = session.clientFrame(FrontendMessage.query("COMMIT").frame, effects: commit)
        XCTAssertEqual(frontend(commitSent.toServer), [.query("COMMIT"), .query(RoutingQueries.writePosition)])
        _ = session.serverFrame(BackendMessage.commandComplete("COMMIT").frame)
        XCTAssertTrue(session.serverFrame(BackendMessage.readyForQuery(.idle).frame).toClient.isEmpty)
        _ = session.serverFrame(lsnRow("0/1000100"))
        _ = session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame)
        let done = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertEqual(done.learnedWriteLSN, LSN("0/1000100"))
        XCTAssertEqual(backend(done.toClient), [.readyForQuery(.idle)])
    }

    /// A COPY FROM STDIN must not have anything pipelined behind it: the position is asked once the copy is over.
    func testCopyInGetsNoPipelinedQueryButStillLearnsItsPosition() {
        var session = routedSession()
        var copy = write
        copy.mayCopyIn = true
        _ = session.clientFrame(FrontendMessage.query("COPY t FROM STDIN").frame, effects: copy)
        XCTAssertEqual(frontend(session.serverLeased(link(id: 2)).toServer), [.query("COPY t FROM STDIN")])
        _ = session.serverFrame(BackendMessage.copyInResponse(CopyResponse(format: 0, columnFormats: [0])).frame)
        _ = session.clientFrame(FrontendMessage.copyData(ByteBuffer(string: "1\n")).frame)
        _ = session.clientFrame(FrontendMessage.copyDone.frame)
        _ = session.serverFrame(BackendMessage.commandComplete("COPY 1").frame)
        let ready = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertTrue(ready.toClient.isEmpty)
        XCTAssertEqual(frontend(ready.toServer), [.query(RoutingQueries.writePosition)])
        _ = session.serverFrame(lsnRow("0/2000000"))
        _ = session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame)
        let done = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertEqual(done.learnedWriteLSN, LSN("0/2000000"))
        XCTAssertEqual(backend(done.toClient), [.readyForQuery(.idle)])
    }

    /// A failed position query (e.g. the server cancelled it) still lets the client go on; nothing is learned.
    func testFailedPositionQueryReleasesTheHeldReadyForQuery() {
        var session = routedSession()
        _ = session.clientFrame(FrontendMessage.query("UPDATE t SET a = 1").frame, effects: write)
        _ = session.serverLeased(link(id: 2))
        _ = session.serverFrame(BackendMessage.commandComplete("UPDATE 1").frame)
        XCTAssertTrue(session.serverFrame(BackendMessage.readyForQuery(.idle).frame).toClient.isEmpty)
        XCTAssertTrue(session.serverFrame(BackendMessage.error("57014", "canceling statement").frame).toClient.isEmpty)
        let done = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertNil(done.learnedWriteLSN)
        XCTAssertEqual(backend(done.toClient), [.readyForQuery(.idle)])
        XCTAssertEqual(done.release?.disposition, .reuse, "a failed position query does not spoil the connection")
    }

    /// Reads learn nothing and cost nothing extra.
    func testReadsAddNoQuery() {
        var session = routedSession()
        _ = session.clientFrame(FrontendMessage.query("SELECT 1").frame, effects: read)
        XCTAssertEqual(frontend(session.serverLeased(link(id: 2), onReplica: true).toServer), [.query("SELECT 1")])
        _ = session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame)
        let ready = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertEqual(backend(ready.toClient), [.readyForQuery(.idle)])
        XCTAssertNil(ready.learnedWriteLSN)
        XCTAssertEqual(ready.release?.disposition, .reuse)
    }

    /// A write pipelined behind a read on a replica lease waits for that lease to end, then asks for a lease of
    /// its own, routed as a write.
    func testWriteBehindAReplicaReadWaitsForAPrimaryLease() {
        var session = routedSession()
        _ = session.clientFrame(FrontendMessage.query("SELECT 1").frame, effects: read)
        _ = session.serverLeased(link(id: 2), onReplica: true)
        let held = session.clientFrame(FrontendMessage.query("INSERT INTO t VALUES (1)").frame, effects: write)
        XCTAssertTrue(held.toServer.isEmpty, "the replica must not receive the write")
        XCTAssertFalse(held.acquireServer)

        _ = session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame)
        let ready = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertEqual(backend(ready.toClient), [.readyForQuery(.idle)])
        XCTAssertEqual(ready.release?.disposition, .reuse)
        XCTAssertTrue(ready.acquireServer)
        XCTAssertFalse(ready.routeFacts.isReadOnly)

        let primary = session.serverLeased(link(id: 3))
        XCTAssertEqual(frontend(primary.toServer), [.query("INSERT INTO t VALUES (1)"), .query(RoutingQueries.writePosition)])
    }

    /// Inside a read-only transaction on a replica, a write belongs to that transaction: PostgreSQL refuses it
    /// there, as it would without the proxy.
    func testWriteInsideAReplicaTransactionStaysThere() {
        var session = routedSession()
        _ = session.clientFrame(FrontendMessage.query("BEGIN READ ONLY").frame,
                                effects: StatementEffects(route: .control(.begin(readOnly: true))))
        _ = session.serverLeased(link(id: 2), onReplica: true)
        _ = session.serverFrame(BackendMessage.commandComplete("BEGIN").frame)
        _ = session.serverFrame(BackendMessage.readyForQuery(.inTransaction).frame)
        let sent = session.clientFrame(FrontendMessage.query("INSERT INTO t VALUES (1)").frame, effects: write)
        XCTAssertEqual(frontend(sent.toServer), [.query("INSERT INTO t VALUES (1)")])
    }

    /// A named statement keeps the facts it was parsed with: its later Bind on a new lease routes by them.
    func testBindOfANamedStatementRoutesByItsParse() {
        var session = routedSession()
        _ = session.clientFrame(FrontendMessage.parse(Parse(name: "ins", query: "INSERT INTO t VALUES ($1)", parameterTypes: [])).frame,
                                effects: write)
        _ = session.clientFrame(FrontendMessage.sync.frame)
        _ = session.serverLeased(link(id: 2))
        _ = session.serverFrame(BackendMessage.parseComplete.frame)
        _ = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        // The Parse counted as a write, so its lease learned a position before it was released.
        _ = session.serverFrame(lsnRow("0/10"))
        _ = session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame)
        XCTAssertNotNil(session.serverFrame(BackendMessage.readyForQuery(.idle).frame).release)

        let bind = session.clientFrame(FrontendMessage.bind(Bind(portal: "", statement: "ins", parameterFormats: [],
                                                                 parameters: [ByteBuffer(string: "1")], resultFormats: [])).frame)
        XCTAssertTrue(bind.acquireServer)
        XCTAssertFalse(bind.routeFacts.isReadOnly, "the Bind of a write is routed as a write")
    }

    /// No node for the waiting work (no primary in time): each waiting request fails as PostgreSQL would fail
    /// it, and the client keeps its connection.
    func testRoutingFailureFailsTheWaitingRequestsAndTheSessionGoesOn() {
        var session = routedSession()
        _ = session.clientFrame(FrontendMessage.query("INSERT INTO t VALUES (1)").frame, effects: write)
        let failed = session.routeFailed(sqlState: "57P03", message: "no primary")
        XCTAssertNil(failed.close)
        assertErrorThenReady(failed.toClient)

        // An extended-protocol batch gets one error, then ReadyForQuery for its Sync.
        for message in [FrontendMessage.parse(Parse(name: "", query: "INSERT INTO t VALUES (2)", parameterTypes: [])),
                        .bind(Bind(portal: "", statement: "", parameterFormats: [], parameters: [], resultFormats: [])),
                        .execute(Execute(portal: "", maxRows: 0)), .sync] {
            _ = session.clientFrame(message.frame, effects: message.frame.type == MessageType.Frontend.parse ? write : .none)
        }
        let batch = session.routeFailed(sqlState: "57P03", message: "no primary")
        assertErrorThenReady(batch.toClient)

        // The session still works: the next statement asks for a server again.
        XCTAssertTrue(session.clientFrame(FrontendMessage.query("SELECT 1").frame, effects: read).acquireServer)
    }

    private func assertErrorThenReady(_ frames: [ByteBuffer], file: StaticString = #filePath, line: UInt = #line) {
        let messages = backend(frames)
        guard messages.count == 2, case .errorResponse(let fields) = messages[0] else {
            return XCTFail("expected ErrorResponse and ReadyForQuery, got \(messages)", file: file, line: line)
        }
        XCTAssertEqual(fields.sqlState, "57P03", file: file, line: line)
        XCTAssertEqual(fields.severity, "ERROR", file: file, line: line)
        XCTAssertEqual(messages[1], .readyForQuery(.idle), file: file, line: line)
    }

    /// `SET bulkhead.route` is answered by the proxy, with no server involved.
    func testRouteOverrideIsAnsweredLocally() {
        var session = routedSession()
        let set = session.clientFrame(FrontendMessage.query("SET bulkhead.route = replica").frame,
                                      effects: StatementEffects(routeOverride: .replica))
        XCTAssertEqual(set.routeOverride, .replica)
        XCTAssertFalse(set.acquireServer)
        XCTAssertTrue(set.toServer.isEmpty)
        XCTAssertEqual(backend(set.toClient), [.commandComplete("SET"), .readyForQuery(.idle)])
    }
}

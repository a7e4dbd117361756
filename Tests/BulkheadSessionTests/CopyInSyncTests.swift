// Checks that Syncs the server ignores during COPY FROM STDIN are owed nothing, so the connection stays in step.

@testable import BulkheadSession
import BulkheadWire
import NIOCore
import XCTest

final class CopyInSyncTests: XCTestCase {
    private let copyIn = BackendMessage.copyInResponse(CopyResponse(format: 0, columnFormats: [0])).frame

    /// libpq's extended-protocol COPY: Parse, Bind, Describe, Execute, Sync, then after CopyInResponse the data,
    /// CopyDone and a second Sync. The server ignores the first Sync and answers only the second.
    func testExtendedCopyFromStdinOwesOneReadyForQuery() {
        var session = loggedIn(mode: .transaction)
        _ = session.clientFrame(FrontendMessage.parse(Parse(name: "", query: "COPY t FROM STDIN", parameterTypes: [])).frame)
        _ = session.serverLeased(link(id: 3))
        for message in [FrontendMessage.bind(Bind(portal: "", statement: "", parameterFormats: [], parameters: [], resultFormats: [])),
                        .describe(Describe(target: .portal(""))), .execute(Execute(portal: "", maxRows: 0)), .sync] {
            _ = session.clientFrame(message.frame)
        }
        for reply in [BackendMessage.parseComplete, .bindComplete, .noData] {
            XCTAssertEqual(session.serverFrame(reply.frame).toClient.count, 1)
        }
        XCTAssertEqual(session.serverFrame(copyIn).toClient.count, 1)
        _ = session.clientFrame(FrontendMessage.copyData(ByteBuffer(string: "1\n")).frame)
        _ = session.clientFrame(FrontendMessage.copyDone.frame)
        _ = session.clientFrame(FrontendMessage.sync.frame)
        XCTAssertNil(session.serverFrame(BackendMessage.commandComplete("COPY 1").frame).release)
        let ready = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertEqual(backend(ready.toClient), [.readyForQuery(.idle)])
        XCTAssertEqual(ready.release?.disposition, .reuse, "one ReadyForQuery ends the exchange; the link is clean")
    }

    /// A client that pipelines CopyDone and a Sync before the server has even said it is copying: that Sync comes
    /// after the copy's end, so the server answers it.
    func testSyncAfterAPipelinedCopyDoneIsStillOwed() {
        var session = loggedIn(mode: .session)
        for message in [FrontendMessage.parse(Parse(name: "", query: "COPY t FROM STDIN", parameterTypes: [])),
                        .bind(Bind(portal: "", statement: "", parameterFormats: [], parameters: [], resultFormats: [])),
                        .execute(Execute(portal: "", maxRows: 0)), .sync, .copyDone, .sync] {
            _ = session.clientFrame(message.frame)
        }
        _ = session.serverFrame(BackendMessage.parseComplete.frame)
        _ = session.serverFrame(BackendMessage.bindComplete.frame)
        _ = session.serverFrame(copyIn)
        _ = session.serverFrame(BackendMessage.commandComplete("COPY 0").frame)
        XCTAssertEqual(backend(session.serverFrame(BackendMessage.readyForQuery(.idle).frame).toClient), [.readyForQuery(.idle)])
        // Nothing else is owed: a further ReadyForQuery breaks the protocol.
        XCTAssertNotNil(session.serverFrame(BackendMessage.readyForQuery(.idle).frame).close)
    }

    /// A simple-query COPY that fails mid-copy answers with ErrorResponse and ReadyForQuery; a Sync sent after
    /// that is answered normally.
    func testSyncAfterAFailedSimpleCopyIsOwed() {
        var session = loggedIn(mode: .session)
        _ = session.clientFrame(FrontendMessage.query("COPY t FROM STDIN").frame)
        _ = session.serverFrame(copyIn)
        _ = session.clientFrame(FrontendMessage.copyData(ByteBuffer(string: "bad\n")).frame)
        _ = session.serverFrame(BackendMessage.error("22P02", "bad").frame)
        _ = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        _ = session.clientFrame(FrontendMessage.sync.frame)
        XCTAssertEqual(backend(session.serverFrame(BackendMessage.readyForQuery(.idle).frame).toClient), [.readyForQuery(.idle)])
    }
}

/// A tiny statement_timeout is put back before the connection returns to the pool, so the next client's sync
/// never runs under it.
final class TimeoutRestoreTests: XCTestCase {
    /// A transaction-mode client sets statement_timeout = 1 and the server confirms; returns the restore query.
    private func clientWithOneMillisecondTimeout(_ session: inout ClientSession) -> String? {
        _ = session.clientFrame(FrontendMessage.query("SET statement_timeout = 1").frame, effects: StatementEffects(settings: ["statement_timeout"]))
        _ = session.serverLeased(link(id: 8))
        _ = session.serverFrame(BackendMessage.commandComplete("SET").frame)
        let ready = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertNil(ready.release, "the setting is read back first")
        guard case .query(let capture)? = frontend(ready.toServer).first, capture.contains("statement_timeout") else { return nil }
        _ = session.serverFrame(BackendMessage.rowDescription([]).frame)
        _ = session.serverFrame(BackendMessage.dataRow([ByteBuffer(string: "1ms")]).frame)
        _ = session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame)
        let captured = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertNil(captured.release, "the restore runs before the release")
        guard case .query(let restore)? = frontend(captured.toServer).first else { return nil }
        return restore
    }

    func testSubSecondStatementTimeoutIsRestoredBeforeRelease() {
        var session = loggedIn(mode: .transaction)
        XCTAssertEqual(clientWithOneMillisecondTimeout(&session), "SELECT pg_catalog.set_config(E'statement_timeout', E'0', false)")
        _ = session.serverFrame(BackendMessage.dataRow([ByteBuffer(string: "0")]).frame)
        _ = session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame)
        let released = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertEqual(released.release?.disposition, .reuse)
        XCTAssertEqual(released.release?.link.parameters["statement_timeout"], "0")
        // The client keeps its setting: its next connection gets it back.
        _ = session.clientFrame(FrontendMessage.query("SELECT 1").frame)
        guard case .query(let sync)? = frontend(session.serverLeased(link(id: 11)).toServer).first else { return XCTFail("no sync") }
        XCTAssertTrue(sync.contains("E'1ms'"), sync)
    }

    func testAFailedRestoreClosesTheConnectionInsteadOfPoolingIt() {
        var session = loggedIn(mode: .transaction)
        XCTAssertNotNil(clientWithOneMillisecondTimeout(&session))
        XCTAssertTrue(session.serverFrame(BackendMessage.error("57014", "canceling statement due to statement timeout").frame).toClient.isEmpty)
        XCTAssertEqual(session.serverFrame(BackendMessage.readyForQuery(.idle).frame).release?.disposition, .close)
    }

    func testTimeoutsOfASecondOrMoreStayOnTheConnection() {
        var used = link(id: 10)
        used.parameters["statement_timeout"] = "1s"
        XCTAssertNil(ParameterSync.restoreStatement(link: used))
        used.parameters["statement_timeout"] = "999ms"
        XCTAssertNotNil(ParameterSync.restoreStatement(link: used))
        used.parameters["statement_timeout"] = "0"
        XCTAssertNil(ParameterSync.restoreStatement(link: used))
        // A server whose own default is under a second is left at it: there is nothing to restore.
        var tight = link(id: 12, parameters: ParameterSet([("statement_timeout", "500ms")]))
        XCTAssertNil(ParameterSync.restoreStatement(link: tight))
        tight.parameters["statement_timeout"] = "5ms"
        XCTAssertEqual(ParameterSync.restoreStatement(link: tight), "SELECT pg_catalog.set_config(E'statement_timeout', E'500ms', false)")
    }
}

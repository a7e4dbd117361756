// Traffic through a logged-in session: forwarding, pool-mode releases, parameter sync and failure handling.

@testable import BulkheadSession
import BulkheadWire
import NIOCore
import XCTest

final class ClientSessionTrafficTests: XCTestCase {
    func testSessionModeForwardsRawFramesBothWays() {
        var session = loggedIn()
        let query = FrontendMessage.query("SELECT 1").frame
        let out = session.clientFrame(query)
        XCTAssertEqual(out.toServer, [query.raw], "client frames pass through untouched")
        let row = BackendMessage.dataRow([ByteBuffer(string: "1")]).frame
        XCTAssertEqual(session.serverFrame(row).toClient, [row.raw])
        let ready = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertNil(ready.release, "session mode keeps the connection")
        XCTAssertEqual(backend(ready.toClient), [.readyForQuery(.idle)])
    }

    func testTerminateInSessionModeReleasesWithReset() {
        var session = loggedIn()
        let action = session.clientFrame(FrontendMessage.terminate.frame)
        XCTAssertEqual(action.release?.disposition, .reset)
        XCTAssertEqual(action.close, .now)
    }

    func testClientLeavingMidQueryClosesTheServerConnection() {
        var session = loggedIn()
        _ = session.clientFrame(FrontendMessage.query("SELECT pg_sleep(10)").frame)
        let action = session.clientClosed()
        XCTAssertEqual(action.release?.disposition, .close, "a query in flight can only be stopped by closing")
    }

    func testClientLeavingIdleInTransactionResetsTheServerConnection() {
        var session = loggedIn()
        _ = session.clientFrame(FrontendMessage.query("BEGIN").frame)
        _ = session.serverFrame(BackendMessage.commandComplete("BEGIN").frame)
        _ = session.serverFrame(BackendMessage.readyForQuery(.inTransaction).frame)
        let action = session.clientClosed()
        XCTAssertEqual(action.release?.disposition, .reset)
        guard var link = action.release?.link else { return XCTFail("no release") }
        let frames = frontend(link.resetFrames(resetQuery: "DISCARD ALL"))
        XCTAssertEqual(frames, [.query("ROLLBACK"), .query("DISCARD ALL")])
    }

    func testTransactionModeReleasesOnReadyForQueryIdleAndReacquiresOnNextQuery() {
        var session = loggedIn(mode: .transaction)
        XCTAssertNil(session.link, "released right after login")
        let first = session.clientFrame(FrontendMessage.query("BEGIN").frame)
        XCTAssertTrue(first.acquireServer)
        XCTAssertTrue(first.toServer.isEmpty, "queued until a connection arrives")
        let attached = session.serverLeased(link(id: 2))
        XCTAssertEqual(frontend(attached.toServer), [.query("BEGIN")])
        _ = session.serverFrame(BackendMessage.commandComplete("BEGIN").frame)
        XCTAssertNil(session.serverFrame(BackendMessage.readyForQuery(.inTransaction).frame).release, "held for the whole transaction")
        _ = session.clientFrame(FrontendMessage.query("COMMIT").frame)
        _ = session.serverFrame(BackendMessage.commandComplete("COMMIT").frame)
        let done = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertEqual(done.release?.disposition, .reuse)
        XCTAssertEqual(done.release?.link.id, 2)
    }

    func testExtendedProtocolHoldsTheConnectionUntilSync() {
        var session = loggedIn(mode: .transaction)
        _ = session.clientFrame(FrontendMessage.parse(Parse(name: "", query: "SELECT 1", parameterTypes: [])).frame)
        _ = session.serverLeased(link(id: 3))
        _ = session.clientFrame(FrontendMessage.flush.frame)
        XCTAssertNil(session.serverFrame(BackendMessage.parseComplete.frame).release)
        _ = session.clientFrame(FrontendMessage.sync.frame)
        XCTAssertEqual(session.serverFrame(BackendMessage.readyForQuery(.idle).frame).release?.disposition, .reuse)
    }

    func testParametersOfThePreviousClientAreUndoneOnCheckout() {
        var session = loggedIn(mode: .transaction)
        var used = link(id: 5)
        // Another client left application_name and a non-reported setting behind on this connection.
        used.parameters["application_name"] = "someone-else"
        used.parameters["statement_timeout"] = "1s"
        _ = session.clientFrame(FrontendMessage.query("SELECT 1").frame)
        let attached = session.serverLeased(used)
        let messages = frontend(attached.toServer)
        XCTAssertEqual(messages.count, 2)
        guard case .query(let sync)? = messages.first else { return XCTFail("no sync") }
        XCTAssertTrue(sync.contains("set_config(E'application_name', E'', false)"), sync)
        XCTAssertTrue(sync.contains("reset_val FROM pg_catalog.pg_settings WHERE name = E'statement_timeout'"), sync)
        XCTAssertEqual(messages.last, .query("SELECT 1"))
        // The sync's own responses never reach the client; the client's do.
        XCTAssertTrue(session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame).toClient.isEmpty)
        XCTAssertTrue(session.serverFrame(BackendMessage.readyForQuery(.idle).frame).toClient.isEmpty)
        XCTAssertNotNil(session.link, "still attached for the client's query")
        let row = session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame)
        XCTAssertEqual(backend(row.toClient), [.commandComplete("SELECT 1")])
        XCTAssertEqual(session.serverFrame(BackendMessage.readyForQuery(.idle).frame).release?.disposition, .reuse)
    }

    func testParameterTheClientSetsFollowsItToTheNextConnection() {
        var session = loggedIn(mode: .transaction)
        _ = session.clientFrame(FrontendMessage.query("SET application_name = 'mine'").frame)
        _ = session.serverLeased(link(id: 6))
        _ = session.serverFrame(BackendMessage.commandComplete("SET").frame)
        _ = session.serverFrame(BackendMessage.parameterStatus(name: "application_name", value: "mine").frame)
        XCTAssertNotNil(session.serverFrame(BackendMessage.readyForQuery(.idle).frame).release)
        _ = session.clientFrame(FrontendMessage.query("SELECT 1").frame)
        let attached = session.serverLeased(link(id: 7))
        guard case .query(let sync)? = frontend(attached.toServer).first else { return XCTFail("no sync") }
        XCTAssertTrue(sync.contains("E'mine'"), sync)
    }

    func testStatementModeRefusesTransactionBlocks() {
        var session = loggedIn(mode: .statement)
        _ = session.clientFrame(FrontendMessage.query("BEGIN").frame)
        _ = session.serverLeased(link(id: 8))
        _ = session.serverFrame(BackendMessage.commandComplete("BEGIN").frame)
        let action = session.serverFrame(BackendMessage.readyForQuery(.inTransaction).frame)
        let messages = backend(action.toClient)
        guard case .errorResponse(let fields)? = messages.last else { return XCTFail("no error") }
        XCTAssertEqual(fields.sqlState, "0A000")
        XCTAssertEqual(action.release?.disposition, .reset)
    }

    func testServerDyingMidSessionGivesTheClientAnErrorNotAHang() {
        var session = loggedIn()
        _ = session.clientFrame(FrontendMessage.query("SELECT 1").frame)
        let action = session.serverClosed()
        guard case .errorResponse(let fields)? = backend(action.toClient).first else { return XCTFail("no error") }
        XCTAssertEqual(fields.sqlState, "08006")
        XCTAssertEqual(action.close, .now)
    }

    func testPoolRefusalReachesTheClient() {
        var session = ClientSession(backendKey: clientKey, randomness: fixedRandomness, settings: .init())
        _ = session.startupPacket(startup()) { _ in policy(.trust) }
        let action = session.serverUnavailable("bulkhead: no server connection became free in pool docs/postgres@primary within 1.0s (query_wait_timeout)")
        guard case .errorResponse(let fields)? = backend(action.toClient).first else { return XCTFail("no error") }
        XCTAssertTrue(fields.message?.contains("docs/postgres@primary") ?? false)
        XCTAssertEqual(action.close, .now)
    }

    func testUnexpectedClientMessageIsAProtocolViolation() {
        var session = loggedIn()
        let action = session.clientFrame(FrontendMessage.password("x").frame)
        guard case .errorResponse(let fields)? = backend(action.toClient).first else { return XCTFail("no error") }
        XCTAssertEqual(fields.sqlState, "08P01")
        XCTAssertEqual(action.close, .now)
        XCTAssertEqual(action.release?.disposition, .reset)
    }

    func testCancelTargetIsTheServersKeyOfTheHeldConnection() {
        let session = loggedIn()
        XCTAssertEqual(session.cancelTarget?.key, BackendKey(processID: 77, secretKey: 88))
        let idle = loggedIn(mode: .transaction)
        XCTAssertNil(idle.cancelTarget, "nothing to cancel when no connection is held")
    }

    func testUnexpectedReadyForQueryFromServerClosesBoth() {
        var session = loggedIn()
        let action = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertEqual(action.release?.disposition, .close)
        XCTAssertEqual(action.close, .now)
    }
}

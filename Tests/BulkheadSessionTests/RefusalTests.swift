// Checks how refusals reach the client: raised by the server so transactions fail, answered with the proxy's own error.

@testable import BulkheadSession
import BulkheadWire
import NIOCore
import XCTest

final class RefusalTests: XCTestCase {
    private let refusal = StartupCheck.Refusal(sqlState: "42501", message: "bulkhead: schema tenant_globex is outside tenant acme", position: 15)
    /// What PostgreSQL answers a RAISE in a DO block with: CONTEXT, and no position.
    private let raised = BackendMessage.errorResponse(ErrorFields(fields: [
        ErrorField("S", "ERROR"), ErrorField("C", "42501"), ErrorField("M", "bulkhead: schema tenant_globex is outside tenant acme"),
        ErrorField("W", "PL/pgSQL function inline_code_block line 1 at RAISE"),
    ])).frame

    func testARefusedQueryGetsTheProxysErrorWithPositionAndNoContext() {
        var session = loggedIn(mode: .session)
        let sent = session.clientFrame(FrontendMessage.query("SELECT * FROM tenant_globex.documents").frame,
                                       effects: StatementEffects(refusal: refusal))
        guard case .query(let raise)? = frontend(sent.toServer).first else { return XCTFail("nothing sent") }
        XCTAssertTrue(raise.hasPrefix("DO $bulkhead$"), raise)
        guard case .errorResponse(let fields)? = backend(session.serverFrame(raised).toClient).first else { return XCTFail("no error") }
        XCTAssertEqual(fields.sqlState, "42501")
        XCTAssertEqual(fields.position, 15)
        XCTAssertNil(fields[UInt8(ascii: "W")], "PL/pgSQL's CONTEXT is the proxy's business, not the client's")
        XCTAssertEqual(backend(session.serverFrame(BackendMessage.readyForQuery(.idle).frame).toClient), [.readyForQuery(.idle)])
    }

    /// A FunctionCall ends with ReadyForQuery and no Sync follows it, so its refusal must be a simple Query too.
    func testARefusedFunctionCallIsRaisedAsAQueryThatEndsWithReadyForQuery() {
        var session = loggedIn(mode: .session)
        let call = FrontendMessage.functionCall(FunctionCall(functionOID: 2325, argumentFormats: [], arguments: [], resultFormat: 0))
        let sent = session.clientFrame(call.frame, effects: StatementEffects(refusal: refusal))
        let messages = frontend(sent.toServer)
        XCTAssertEqual(messages.count, 1)
        guard case .query? = messages.first else { return XCTFail("expected a Query, got \(messages)") }
        XCTAssertEqual(backend(session.serverFrame(raised).toClient).count, 1)
        XCTAssertEqual(backend(session.serverFrame(BackendMessage.readyForQuery(.idle).frame).toClient), [.readyForQuery(.idle)])
    }

    func testARefusedParseGetsTheProxysErrorAndTheMessagesUpToSyncAreDropped() {
        var session = loggedIn(mode: .session)
        let sent = session.clientFrame(FrontendMessage.parse(Parse(name: "", query: "SELECT * FROM tenant_globex.documents", parameterTypes: [])).frame,
                                       effects: StatementEffects(refusal: refusal))
        XCTAssertEqual(frontend(sent.toServer).count, 3, "Parse, Bind and Execute of the raise")
        XCTAssertTrue(session.clientFrame(FrontendMessage.execute(Execute(portal: "", maxRows: 0)).frame).toServer.isEmpty)
        XCTAssertEqual(frontend(session.clientFrame(FrontendMessage.sync.frame).toServer), [.sync])
        XCTAssertTrue(session.serverFrame(BackendMessage.parseComplete.frame).toClient.isEmpty)
        XCTAssertTrue(session.serverFrame(BackendMessage.bindComplete.frame).toClient.isEmpty)
        guard case .errorResponse(let fields)? = backend(session.serverFrame(raised).toClient).first else { return XCTFail("no error") }
        XCTAssertEqual(fields.position, 15)
        XCTAssertNil(fields[UInt8(ascii: "W")])
        XCTAssertEqual(backend(session.serverFrame(BackendMessage.readyForQuery(.idle).frame).toClient), [.readyForQuery(.idle)])
    }
}

/// The unnamed statement survives a Sync on the server, so a client may only use one it created itself.
final class UnnamedStatementTests: XCTestCase {
    private let bindUnnamed = FrontendMessage.bind(Bind(portal: "", statement: "", parameterFormats: [], parameters: [], resultFormats: []))

    func testBindingAnUnnamedStatementTheClientNeverParsedIsRefusedLocally() {
        var session = loggedIn(mode: .transaction)
        _ = session.clientFrame(bindUnnamed.frame)
        let leased = session.serverLeased(link(id: 4))
        XCTAssertTrue(leased.toServer.isEmpty, "nothing reaches the server: \(frontend(leased.toServer))")
        guard case .errorResponse(let fields)? = backend(leased.toClient).first else { return XCTFail("no error") }
        XCTAssertEqual(fields.sqlState, "26000")
        _ = session.clientFrame(FrontendMessage.execute(Execute(portal: "", maxRows: 0)).frame)
        let sync = session.clientFrame(FrontendMessage.sync.frame)
        XCTAssertEqual(frontend(sync.toServer), [.sync])
    }

    func testDescribingAnUnnamedStatementTheClientNeverParsedIsRefusedLocally() {
        var session = loggedIn(mode: .session)
        let sent = session.clientFrame(FrontendMessage.describe(Describe(target: .statement(""))).frame)
        XCTAssertTrue(sent.toServer.isEmpty)
        guard case .errorResponse(let fields)? = backend(sent.toClient).first else { return XCTFail("no error") }
        XCTAssertEqual(fields.sqlState, "26000")
    }

    func testTheClientsOwnUnnamedStatementWorksUntilASimpleQueryDropsIt() {
        var session = loggedIn(mode: .session)
        _ = session.clientFrame(FrontendMessage.parse(Parse(name: "", query: "SELECT 1", parameterTypes: [])).frame)
        XCTAssertEqual(frontend(session.clientFrame(bindUnnamed.frame).toServer), [bindUnnamed])
        _ = session.clientFrame(FrontendMessage.sync.frame)
        _ = session.serverFrame(BackendMessage.parseComplete.frame)
        _ = session.serverFrame(BackendMessage.bindComplete.frame)
        _ = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertEqual(frontend(session.clientFrame(bindUnnamed.frame).toServer), [bindUnnamed], "still the client's after Sync")
        _ = session.clientFrame(FrontendMessage.sync.frame)
        _ = session.serverFrame(BackendMessage.bindComplete.frame)
        _ = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        _ = session.clientFrame(FrontendMessage.query("SELECT 2").frame)
        _ = session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame)
        _ = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertTrue(session.clientFrame(bindUnnamed.frame).toServer.isEmpty, "a simple Query dropped it")
    }

    func testNamedStatementsAndPortalsAreNotMistakenForTheUnnamedOne() {
        let named = FrontendMessage.bind(Bind(portal: "", statement: "s1", parameterFormats: [], parameters: [], resultFormats: [])).frame
        XCTAssertFalse(named.namesUnnamedStatement)
        XCTAssertTrue(bindUnnamed.frame.namesUnnamedStatement)
        XCTAssertTrue(FrontendMessage.bind(Bind(portal: "p", statement: "", parameterFormats: [], parameters: [], resultFormats: [])).frame.namesUnnamedStatement)
        XCTAssertFalse(FrontendMessage.describe(Describe(target: .portal(""))).frame.namesUnnamedStatement)
        XCTAssertFalse(FrontendMessage.describe(Describe(target: .statement("s"))).frame.namesUnnamedStatement)
        XCTAssertFalse(FrontendMessage.parse(Parse(name: "s", query: "SELECT 1", parameterTypes: [])).frame.namesUnnamedStatement)
    }
}

// Checks the one transparent retry after DDL invalidates a statement's cached plan under transaction pooling.

@testable import BulkheadSession
import BulkheadWire
import NIOCore
import XCTest

final class PlanRetryTests: XCTestCase {
    private let invalidated = BackendMessage.error("0A000", "cached plan must not change result type").frame
    private let bind = FrontendMessage.bind(Bind(portal: "", statement: "s1", parameterFormats: [], parameters: [], resultFormats: []))
    private let execute = FrontendMessage.execute(Execute(portal: "", maxRows: 0))

    /// A transaction-mode session that prepared s1 in an earlier exchange and now runs Bind/Execute/Sync on it.
    private func sessionRunningS1() -> (ClientSession, String) {
        var session = loggedIn(mode: .transaction)
        _ = session.clientFrame(FrontendMessage.parse(Parse(name: "s1", query: "SELECT * FROM t", parameterTypes: [])).frame)
        _ = session.clientFrame(FrontendMessage.sync.frame)
        let first = session.serverLeased(link(id: 2))
        guard case .parse(let parse)? = frontend(first.toServer).first else { XCTFail("no parse"); return (session, "") }
        _ = session.serverFrame(BackendMessage.parseComplete.frame)
        _ = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        for message in [bind, execute, .sync] { _ = session.clientFrame(message.frame) }
        var reused = link(id: 2)
        reused.notePrepared(parse.name)
        XCTAssertEqual(frontend(session.serverLeased(reused).toServer), [
            .bind(Bind(portal: "", statement: parse.name, parameterFormats: [], parameters: [], resultFormats: [])), execute, .sync,
        ])
        return (session, parse.name)
    }

    func testAnInvalidatedPlanIsReparedAndTheExchangeRunsAgainUnseen() {
        var (session, server) = sessionRunningS1()
        XCTAssertTrue(session.serverFrame(invalidated).toClient.isEmpty, "the error is held back")
        let replay = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        XCTAssertTrue(replay.toClient.isEmpty)
        XCTAssertNil(replay.release, "the connection stays for the retry")
        XCTAssertEqual(frontend(replay.toServer), [
            .close(Close(target: .statement(server))),
            .parse(Parse(name: server, query: "SELECT * FROM t", parameterTypes: [])),
            .bind(Bind(portal: "", statement: server, parameterFormats: [], parameters: [], resultFormats: [])), execute, .sync,
        ])
        XCTAssertTrue(session.serverFrame(BackendMessage.closeComplete.frame).toClient.isEmpty)
        XCTAssertTrue(session.serverFrame(BackendMessage.parseComplete.frame).toClient.isEmpty)
        var seen: [BackendMessage] = []
        for reply in [BackendMessage.bindComplete, .dataRow([ByteBuffer(string: "1"), ByteBuffer(string: "new")]), .commandComplete("SELECT 1")] {
            seen += backend(session.serverFrame(reply.frame).toClient)
        }
        let done = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        seen += backend(done.toClient)
        XCTAssertEqual(seen, [.bindComplete, .dataRow([ByteBuffer(string: "1"), ByteBuffer(string: "new")]), .commandComplete("SELECT 1"), .readyForQuery(.idle)])
        XCTAssertEqual(done.release?.disposition, .reuse)
    }

    func testTheRetryHappensOnceAndASecondFailureReachesTheClient() {
        var (session, _) = sessionRunningS1()
        _ = session.serverFrame(invalidated)
        _ = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        _ = session.serverFrame(BackendMessage.closeComplete.frame)
        _ = session.serverFrame(BackendMessage.parseComplete.frame)
        guard case .errorResponse(let fields)? = backend(session.serverFrame(invalidated).toClient).first else { return XCTFail("not forwarded") }
        XCTAssertEqual(fields.sqlState, "0A000")
        XCTAssertEqual(backend(session.serverFrame(BackendMessage.readyForQuery(.idle).frame).toClient), [.readyForQuery(.idle)])
    }

    func testNoRetryOnceAnswersReachedTheClient() {
        var session = loggedIn(mode: .transaction)
        let bindS2 = FrontendMessage.bind(Bind(portal: "", statement: "s2", parameterFormats: [], parameters: [], resultFormats: []))
        for message in [FrontendMessage.parse(Parse(name: "s2", query: "SELECT * FROM t", parameterTypes: [])), bindS2, execute, .sync] {
            _ = session.clientFrame(message.frame)
        }
        _ = session.serverLeased(link(id: 3))
        XCTAssertEqual(backend(session.serverFrame(BackendMessage.parseComplete.frame).toClient), [.parseComplete])
        XCTAssertEqual(backend(session.serverFrame(invalidated).toClient).count, 1, "ParseComplete already went out: the error stands")
    }

    func testNoRetryInsideATransaction() {
        var session = loggedIn(mode: .transaction)
        _ = session.clientFrame(FrontendMessage.query("BEGIN").frame)
        _ = session.serverLeased(link(id: 4))
        _ = session.serverFrame(BackendMessage.commandComplete("BEGIN").frame)
        _ = session.serverFrame(BackendMessage.readyForQuery(.inTransaction).frame)
        for message in [FrontendMessage.parse(Parse(name: "", query: "SELECT * FROM t", parameterTypes: [])),
                        .bind(Bind(portal: "", statement: "", parameterFormats: [], parameters: [], resultFormats: [])), execute, .sync] {
            _ = session.clientFrame(message.frame)
        }
        XCTAssertEqual(backend(session.serverFrame(BackendMessage.parseComplete.frame).toClient), [.parseComplete])
        XCTAssertEqual(backend(session.serverFrame(invalidated).toClient).count, 1)
    }
}

extension PlanRetryTests {
    /// A client that sends more while the error is held gets the error, not a silent ReadyForQuery.
    func testWorkPipelinedWhileTheErrorIsHeldCancelsTheRetryButNotTheError() {
        var (session, _) = sessionRunningS1()
        XCTAssertTrue(session.serverFrame(invalidated).toClient.isEmpty)
        _ = session.clientFrame(FrontendMessage.query("SELECT 2").frame)
        let ready = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        guard case .errorResponse(let fields)? = backend(ready.toClient).first else { return XCTFail("the error was lost: \(backend(ready.toClient))") }
        XCTAssertEqual(fields.sqlState, "0A000")
        XCTAssertEqual(backend(ready.toClient).last, .readyForQuery(.idle))
        XCTAssertTrue(ready.toServer.isEmpty, "no replay behind the client's next query")
    }
}

// Login paths of the client session: each method, each refusal, and what the client sees at the end.

import BulkheadAuth
import BulkheadSession
import BulkheadWire
import NIOCore
import XCTest

final class ClientSessionLoginTests: XCTestCase {
    func testTrustLoginReportsServerParametersAndOwnKey() {
        var session = ClientSession(backendKey: clientKey, randomness: fixedRandomness, settings: .init())
        let first = session.startupPacket(startup()) { _ in policy(.trust) }
        XCTAssertEqual(backend(first.toClient), [.authentication(.ok)])
        XCTAssertTrue(first.acquireServer)
        let done = session.serverLeased(link())
        let messages = backend(done.toClient)
        XCTAssertTrue(messages.contains(.parameterStatus(name: "server_version", value: "15.0")))
        XCTAssertTrue(messages.contains(.backendKeyData(processID: 4242, secretKey: 99)), "the client sees the proxy's key, never the server's")
        XCTAssertFalse(messages.contains(.backendKeyData(processID: 77, secretKey: 88)))
        XCTAssertEqual(messages.last, .readyForQuery(.idle))
        XCTAssertTrue(session.isReady)
        XCTAssertEqual(done.toClient.count, 1, "the whole login completion is one write, whatever the number of parameters")
    }

    func testMD5LoginSucceedsWithTheRightPassword() {
        var session = ClientSession(backendKey: clientKey, randomness: fixedRandomness, settings: .init())
        let challenge = session.startupPacket(startup()) { _ in policy(.md5, secret: .plaintext("s3cret")) }
        XCTAssertEqual(backend(challenge.toClient), [.authentication(.md5Password(salt: [1, 2, 3, 4]))])
        let response = MD5Auth.response(user: "alice", password: "s3cret", salt: [1, 2, 3, 4])
        let ok = session.clientFrame(FrontendMessage.password(response).frame)
        XCTAssertEqual(backend(ok.toClient), [.authentication(.ok)])
        XCTAssertTrue(ok.acquireServer)
    }

    func testMD5WrongPasswordFailsAfterTheDelayWith28P01() {
        var session = ClientSession(backendKey: clientKey, randomness: fixedRandomness, settings: .init())
        _ = session.startupPacket(startup()) { _ in policy(.md5, secret: .plaintext("s3cret")) }
        let response = MD5Auth.response(user: "alice", password: "guess", salt: [1, 2, 3, 4])
        let failed = session.clientFrame(FrontendMessage.password(response).frame)
        XCTAssertEqual(failed.close, .afterAuthDelay)
        XCTAssertFalse(failed.acquireServer)
        guard case .errorResponse(let fields)? = backend(failed.toClient).first else { return XCTFail("no error") }
        XCTAssertEqual(fields.sqlState, "28P01")
        XCTAssertEqual(fields.message, "password authentication failed for user \"alice\"")
    }

    /// Runs a full SCRAM exchange with `password` and returns the final action.
    private func scramLogin(password: String, policy loginPolicy: LoginPolicy, user: String = "alice") -> (ClientSession, SessionAction) {
        var session = ClientSession(backendKey: clientKey, randomness: fixedRandomness, settings: .init())
        let offer = session.startupPacket(startup(user: user)) { _ in loginPolicy }
        XCTAssertEqual(backend(offer.toClient), [.authentication(.sasl(mechanisms: ["SCRAM-SHA-256"]))])
        var client = SCRAMClient(password: password)
        let first = FrontendMessage.saslInitialResponse(SASLInitialResponse(mechanism: "SCRAM-SHA-256", data: ByteBuffer(bytes: client.clientFirstMessage())))
        let serverFirst = session.clientFrame(first.frame)
        guard case .authentication(.saslContinue(let data))? = backend(serverFirst.toClient).first else {
            XCTFail("expected SASLContinue")
            return (session, serverFirst)
        }
        guard let final = try? client.receiveServerFirst(Array(buffer: data)) else {
            XCTFail("client rejected server-first")
            return (session, serverFirst)
        }
        return (session, session.clientFrame(FrontendMessage.saslResponse(ByteBuffer(bytes: final)).frame))
    }

    func testSCRAMLoginSucceedsAndSendsServerSignature() {
        let verifier = SCRAMVerifier.derive(password: "pencil", salt: Array("salty-salt-16byt".utf8), iterations: 4096)
        let (_, action) = scramLogin(password: "pencil", policy: policy(.scramSHA256, secret: .scram(verifier)))
        let messages = backend(action.toClient)
        guard case .authentication(.saslFinal)? = messages.first else { return XCTFail("expected SASLFinal, got \(messages)") }
        XCTAssertEqual(messages.last, .authentication(.ok))
        XCTAssertTrue(action.acquireServer)
    }

    func testUnknownUserLooksExactlyLikeAWrongPassword() {
        let verifier = SCRAMVerifier.derive(password: "pencil", salt: Array("salty-salt-16byt".utf8), iterations: 4096)
        let (_, wrong) = scramLogin(password: "nope", policy: policy(.scramSHA256, secret: .scram(verifier)))
        let (_, unknown) = scramLogin(password: "nope", policy: policy(.scramSHA256, known: false, database: false), user: "alice")
        XCTAssertEqual(wrong.close, .afterAuthDelay)
        XCTAssertEqual(unknown.close, .afterAuthDelay)
        XCTAssertEqual(backend(wrong.toClient), backend(unknown.toClient))
    }

    func testUnknownDatabaseWithTheRightPasswordIs3D000AfterTheDelay() {
        var session = ClientSession(backendKey: clientKey, randomness: fixedRandomness, settings: .init())
        _ = session.startupPacket(startup(database: "nosuch")) { _ in policy(.md5, secret: .plaintext("pw"), database: false) }
        let action = session.clientFrame(FrontendMessage.password(MD5Auth.response(user: "alice", password: "pw", salt: [1, 2, 3, 4])).frame)
        XCTAssertEqual(action.close, .afterAuthDelay)
        guard case .errorResponse(let fields)? = backend(action.toClient).first else { return XCTFail("no error") }
        XCTAssertEqual(fields.sqlState, "3D000")
        XCTAssertEqual(fields.message, "database \"nosuch\" does not exist")
    }

    func testRefusalInThePolicyEndsTheLoginAfterAuthentication() {
        var session = ClientSession(backendKey: clientKey, randomness: fixedRandomness, settings: .init())
        var refused = policy(.trust)
        refused.refusal = StartupCheck.Refusal(sqlState: "0A000", message: "not yet")
        let action = session.startupPacket(startup()) { _ in refused }
        guard case .errorResponse(let fields)? = backend(action.toClient).first else { return XCTFail("no error") }
        XCTAssertEqual(fields.sqlState, "0A000")
        XCTAssertFalse(action.acquireServer)
        XCTAssertEqual(action.close, .now)
    }

    func testSSLAndGSSRequestsAreDeclinedWithN() {
        var session = ClientSession(backendKey: clientKey, randomness: fixedRandomness, settings: .init())
        for packet in [StartupPacket.sslRequest, .gssEncRequest] {
            let action = session.startupPacket(packet) { _ in policy(.trust) }
            XCTAssertEqual(action.toClient, [ByteBuffer(bytes: [UInt8(ascii: "N")])])
            XCTAssertNil(action.close)
        }
        XCTAssertTrue(session.startupPacket(startup()) { _ in policy(.trust) }.acquireServer)
    }

    func testCancelPacketAsksForACancelAndCloses() {
        var session = ClientSession(backendKey: clientKey, randomness: fixedRandomness, settings: .init())
        let action = session.startupPacket(.cancel(CancelRequest(processID: 5, secretKey: 6))) { _ in policy(.trust) }
        XCTAssertEqual(action.cancel, BackendKey(processID: 5, secretKey: 6))
        XCTAssertEqual(action.close, .now)
    }

    func testMissingUserIsRefused() {
        var session = ClientSession(backendKey: clientKey, randomness: fixedRandomness, settings: .init())
        let action = session.startupPacket(.startup(StartupMessage(parameters: []))) { _ in policy(.trust) }
        guard case .errorResponse(let fields)? = backend(action.toClient).first else { return XCTFail("no error") }
        XCTAssertEqual(fields.sqlState, "28000")
        XCTAssertEqual(action.close, .now)
    }

    func testReplicationConnectionsAreRefused() {
        var session = ClientSession(backendKey: clientKey, randomness: fixedRandomness, settings: .init())
        let action = session.startupPacket(startup(extra: [StartupParameter(name: "replication", value: "database")])) { _ in policy(.trust) }
        guard case .errorResponse(let fields)? = backend(action.toClient).first else { return XCTFail("no error") }
        XCTAssertEqual(fields.sqlState, "0A000")
    }

    func testNewerMinorProtocolGetsNegotiateProtocolVersion() {
        var session = ClientSession(backendKey: clientKey, randomness: fixedRandomness, settings: .init())
        let packet = StartupPacket.startup(StartupMessage(protocolVersion: 0x0003_0002, parameters: [
            StartupParameter(name: "user", value: "alice"), StartupParameter(name: "_pq_.compression", value: "on"),
        ]))
        let action = session.startupPacket(packet) { _ in policy(.trust) }
        XCTAssertEqual(backend(action.toClient).first, .negotiateProtocolVersion(newestMinor: 196_608, unrecognizedOptions: ["_pq_.compression"]))
    }

    func testStartupParametersAreAppliedBeforeTheLoginCompletes() {
        var session = ClientSession(backendKey: clientKey, randomness: fixedRandomness, settings: .init())
        let extra = [StartupParameter(name: "application_name", value: "psql"), StartupParameter(name: "options", value: "-c statement_timeout=5s")]
        _ = session.startupPacket(startup(extra: extra)) { _ in policy(.trust) }
        let sync = session.serverLeased(link())
        XCTAssertTrue(sync.toClient.isEmpty, "the client waits until the parameters are in force")
        guard case .query(let sql)? = frontend(sync.toServer).first else { return XCTFail("expected a sync query") }
        XCTAssertTrue(sql.contains("set_config(E'application_name', E'psql', false)"), sql)
        XCTAssertTrue(sql.contains("set_config(E'statement_timeout', E'5s', false)"), sql)
        // The server's answers to the proxy's own query are swallowed.
        XCTAssertTrue(session.serverFrame(BackendMessage.commandComplete("SELECT 1").frame).toClient.isEmpty)
        XCTAssertTrue(session.serverFrame(BackendMessage.parameterStatus(name: "application_name", value: "psql").frame).toClient.isEmpty)
        let done = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        let messages = backend(done.toClient)
        XCTAssertTrue(messages.contains(.parameterStatus(name: "application_name", value: "psql")))
        XCTAssertEqual(messages.last, .readyForQuery(.idle))
    }

    func testFailedStartupParameterFailsTheLogin() {
        var session = ClientSession(backendKey: clientKey, randomness: fixedRandomness, settings: .init())
        _ = session.startupPacket(startup(extra: [StartupParameter(name: "DateStyle", value: "bogus")])) { _ in policy(.trust) }
        _ = session.serverLeased(link())
        _ = session.serverFrame(BackendMessage.error("22023", "invalid value for parameter \"DateStyle\": \"bogus\"").frame)
        let done = session.serverFrame(BackendMessage.readyForQuery(.idle).frame)
        guard case .errorResponse(let fields)? = backend(done.toClient).first else { return XCTFail("no error") }
        XCTAssertEqual(fields.sqlState, "22023")
        XCTAssertEqual(fields.severity, "FATAL")
        XCTAssertEqual(done.close, .now)
        XCTAssertNotNil(done.release)
    }

    func testPasswordMessageOfTheWrongShapeIsAProtocolViolation() {
        var session = ClientSession(backendKey: clientKey, randomness: fixedRandomness, settings: .init())
        _ = session.startupPacket(startup()) { _ in policy(.scramSHA256, secret: .scram(SCRAMVerifier.make(password: "x"))) }
        let action = session.clientFrame(FrontendMessage.query("SELECT 1").frame)
        guard case .errorResponse(let fields)? = backend(action.toClient).first else { return XCTFail("no error") }
        XCTAssertEqual(fields.sqlState, "08P01")
        XCTAssertEqual(action.close, .now)
    }
}

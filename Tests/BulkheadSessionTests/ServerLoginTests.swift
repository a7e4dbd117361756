// The proxy's own login to PostgreSQL with each method the server may ask for.

import BulkheadAuth
import BulkheadSession
import BulkheadWire
import NIOCore
import XCTest

final class ServerLoginTests: XCTestCase {
    private func finish(_ login: inout ServerLogin) -> ServerLogin.Action {
        _ = login.receive(BackendMessage.authentication(.ok).frame)
        _ = login.receive(BackendMessage.parameterStatus(name: "server_version", value: "15.18").frame)
        _ = login.receive(BackendMessage.backendKeyData(processID: 10, secretKey: 20).frame)
        return login.receive(BackendMessage.readyForQuery(.idle).frame)
    }

    func testStartupMessageNamesUserAndDatabase() throws {
        var login = ServerLogin(user: "postgres", database: "docs", password: "pw")
        var buffer = login.start()
        var decoder = ClientDecoder(maxMessageLength: 1 << 20)
        guard case .startup(.startup(let startup))? = try decoder.decode(buffer: &buffer) else { return XCTFail("not a startup") }
        XCTAssertEqual(startup.user, "postgres")
        XCTAssertEqual(startup.database, "docs")
    }

    func testTrustCollectsParametersAndKey() {
        var login = ServerLogin(user: "postgres", database: "docs", password: "")
        _ = login.start()
        guard case .done(let key, let parameters) = finish(&login) else { return XCTFail("not done") }
        XCTAssertEqual(key, BackendKey(processID: 10, secretKey: 20))
        XCTAssertEqual(parameters["server_version"], "15.18")
    }

    func testCleartextAndMD5Responses() {
        var clear = ServerLogin(user: "u", database: "d", password: "clearpass")
        _ = clear.start()
        guard case .send(let reply) = clear.receive(BackendMessage.authentication(.cleartextPassword).frame) else { return XCTFail("no reply") }
        XCTAssertEqual(frontendPassword(reply), "clearpass")

        var md5 = ServerLogin(user: "u", database: "d", password: "md5pass")
        _ = md5.start()
        guard case .send(let hashed) = md5.receive(BackendMessage.authentication(.md5Password(salt: [9, 8, 7, 6])).frame) else { return XCTFail("no reply") }
        XCTAssertEqual(frontendPassword(hashed), MD5Auth.response(user: "u", password: "md5pass", salt: [9, 8, 7, 6]))
    }

    func testSCRAMAgainstAServerThatKnowsThePassword() {
        var login = ServerLogin(user: "u", database: "d", password: "scrampass")
        _ = login.start()
        var server = SCRAMServer(secret: SCRAMVerifier.make(password: "scrampass"))
        guard case .send(let first) = login.receive(BackendMessage.authentication(.sasl(mechanisms: ["SCRAM-SHA-256"])).frame),
              case .saslInitialResponse(let initial)? = decodeAuth(first, .saslInitial), let data = initial.data,
              case .success(let serverFirst) = server.receiveClientFirst(Array(buffer: data)),
              case .send(let final) = login.receive(BackendMessage.authentication(.saslContinue(ByteBuffer(bytes: serverFirst))).frame),
              case .saslResponse(let finalData)? = decodeAuth(final, .saslContinue),
              case .success(let serverFinal) = server.receiveClientFinal(Array(buffer: finalData))
        else { return XCTFail("SCRAM exchange broke") }
        guard case .wait = login.receive(BackendMessage.authentication(.saslFinal(ByteBuffer(bytes: serverFinal))).frame) else {
            return XCTFail("server signature rejected")
        }
        guard case .done = finish(&login) else { return XCTFail("not done") }
    }

    func testForgedServerSignatureIsRejected() {
        var login = ServerLogin(user: "u", database: "d", password: "scrampass")
        _ = login.start()
        var server = SCRAMServer(secret: SCRAMVerifier.make(password: "scrampass"))
        guard case .send(let first) = login.receive(BackendMessage.authentication(.sasl(mechanisms: ["SCRAM-SHA-256"])).frame),
              case .saslInitialResponse(let initial)? = decodeAuth(first, .saslInitial), let data = initial.data,
              case .success(let serverFirst) = server.receiveClientFirst(Array(buffer: data)),
              case .send = login.receive(BackendMessage.authentication(.saslContinue(ByteBuffer(bytes: serverFirst))).frame)
        else { return XCTFail("SCRAM exchange broke") }
        let forged = "v=" + String(repeating: "A", count: 43) + "="
        guard case .failed = login.receive(BackendMessage.authentication(.saslFinal(ByteBuffer(string: forged))).frame) else {
            return XCTFail("a forged signature must fail the login")
        }
    }

    func testServerErrorFailsTheLoginWithItsMessage() {
        var login = ServerLogin(user: "u", database: "d", password: "x")
        _ = login.start()
        guard case .failed(let reason) = login.receive(BackendMessage.error("28P01", "password authentication failed for user \"u\"", severity: "FATAL").frame) else {
            return XCTFail("expected failure")
        }
        XCTAssertTrue(reason.contains("password authentication failed"), reason)
    }

    func testUnsupportedMethodFails() {
        var login = ServerLogin(user: "u", database: "d", password: "x")
        _ = login.start()
        guard case .failed = login.receive(BackendMessage.authentication(.gss).frame) else { return XCTFail("expected failure") }
    }

    private func frontendPassword(_ buffer: ByteBuffer) -> String? {
        if case .password(let text)? = decodeAuth(buffer, .password) { return text }
        return nil
    }

    private func decodeAuth(_ buffer: ByteBuffer, _ kind: AuthenticationResponseKind) -> FrontendMessage? {
        try? FrontendMessage.decode(Frame(uncheckedRaw: buffer), authentication: kind)
    }
}

// End-to-end SCRAM-SHA-256 exchanges between SCRAMClient and SCRAMServer with random nonces.
import BulkheadAuth
import XCTest

final class SCRAMExchangeTests: XCTestCase {
    func testCorrectPasswordAuthenticates() {
        let verifier = SCRAMVerifier.make(password: "correct horse", iterations: 1024)
        var client = SCRAMClient(password: "correct horse")
        var server = SCRAMServer(secret: verifier)
        XCTAssertEqual(runExchange(client: &client, server: &server), .authenticated)
    }

    func testWrongPasswordIsRejectedByServer() {
        let verifier = SCRAMVerifier.make(password: "correct horse", iterations: 1024)
        var client = SCRAMClient(password: "battery staple")
        var server = SCRAMServer(secret: verifier)
        XCTAssertEqual(runExchange(client: &client, server: &server), .serverRejected(.wrongPassword))
    }

    func testClientRejectsServerThatDoesNotKnowTheVerifier() throws {
        // A server holding a different verifier with the same salt can't forge v=.
        let real = SCRAMVerifier.make(password: "secret", iterations: 256)
        var impostorSecret = SCRAMVerifier.derive(password: "secret", salt: real.salt, iterations: real.iterations)
        impostorSecret.serverKey = Array(repeating: 7, count: 32)
        var client = SCRAMClient(password: "secret")
        var server = SCRAMServer(secret: impostorSecret)
        guard case .clientRejected(.invalidMessage(let message)) = runExchange(client: &client, server: &server) else {
            return XCTFail("client accepted a forged server signature")
        }
        XCTAssertTrue(message.contains("server signature"))
    }

    func testRandomNoncesAreFreshAndWellFormed() throws {
        let first = text(SCRAMClient(password: "x").clientFirstMessage())
        let second = text(SCRAMClient(password: "x").clientFirstMessage())
        XCTAssertNotEqual(first, second)
        XCTAssertTrue(first.hasPrefix("n,,n=,r="))
        let nonce = String(first.dropFirst("n,,n=,r=".count))
        XCTAssertEqual(nonce.count, 24)
        XCTAssertEqual(Base64.decode(nonce)?.count, 18)

        var server = SCRAMServer(secret: SCRAMVerifier.make(password: "x", iterations: 1))
        let serverFirst = text(try successValue(server.receiveClientFirst(bytes("n,,n=,r=abc"))))
        let combined = try XCTUnwrap(serverFirst.split(separator: ",").first).dropFirst("r=abc".count)
        XCTAssertEqual(Base64.decode(String(combined))?.count, 18)
    }

    func testSuppliedNoncesThatAreNotPrintableAreEncoded() {
        var client = SCRAMClient(password: "pw", clientNonce: "has,comma")
        var server = SCRAMServer(secret: SCRAMVerifier.make(password: "pw", iterations: 16), serverNonce: [0, 1, 2, 0x2C])
        XCTAssertEqual(text(client.clientFirstMessage()), "n,,n=,r=" + Base64.encode(bytes("has,comma")))
        XCTAssertEqual(runExchange(client: &client, server: &server), .authenticated)
    }

    func testEmptyPasswordStillRoundTrips() {
        var client = SCRAMClient(password: "")
        var server = SCRAMServer(secret: SCRAMVerifier.make(password: "", iterations: 16))
        XCTAssertEqual(runExchange(client: &client, server: &server), .authenticated)
    }

    func testStoredSecretSelectsTheRightServer() {
        let key = AuthRandom.bytes(32)
        let cases: [(StoredSecret?, ExchangeOutcome)] = [
            (.scram(SCRAMVerifier.make(password: "pw", iterations: 64)), .authenticated),
            (.plaintext("pw"), .authenticated),
            (.md5(MD5Auth.hashedPassword(user: "alice", password: "pw")), .serverRejected(.wrongPassword)),
            (nil, .serverRejected(.wrongPassword)),
        ]
        for (stored, expected) in cases {
            var client = SCRAMClient(password: "pw")
            var server = SCRAMServer(stored: stored, username: "alice", mockKey: key)
            XCTAssertEqual(runExchange(client: &client, server: &server), expected, "\(String(describing: stored))")
        }
    }

    func testPlaintextSecretUsesTheUsersStableMockSalt() throws {
        let key = AuthRandom.bytes(32)
        var plain = SCRAMServer(stored: .plaintext("pw"), username: "alice", mockKey: key, serverNonce: bytes("S"))
        var mock = SCRAMServer.mock(username: "alice", mockKey: key, serverNonce: bytes("S"))
        XCTAssertEqual(
            try successValue(plain.receiveClientFirst(bytes("n,,n=,r=C"))),
            try successValue(mock.receiveClientFirst(bytes("n,,n=,r=C")))
        )
    }
}

// The mock SCRAM server used for unknown users: indistinguishable on the wire, never successful.
import BulkheadAuth
import XCTest

final class MockSCRAMServerTests: XCTestCase {
    let key = AuthRandom.bytes(32)

    func serverFirst(username: String, key: [UInt8], nonce: String = "SRV") throws -> String {
        var server = SCRAMServer.mock(username: username, mockKey: key, serverNonce: bytes(nonce))
        return text(try successValue(server.receiveClientFirst(bytes("n,,n=,r=CLI"))))
    }

    func saltAndIterations(_ serverFirst: String) -> String {
        serverFirst.split(separator: ",").dropFirst().joined(separator: ",")
    }

    func testAlwaysFailsWithWrongPasswordWhateverTheProof() throws {
        for password in ["", "postgres", "pw"] {
            var client = SCRAMClient(password: password)
            var server = SCRAMServer.mock(username: "ghost", mockKey: key)
            XCTAssertEqual(runExchange(client: &client, server: &server), .serverRejected(.wrongPassword))
        }
        for _ in 0..<5 {
            var server = SCRAMServer.mock(username: "ghost", mockKey: key, serverNonce: bytes("SRV"))
            _ = try successValue(server.receiveClientFirst(bytes("n,,n=,r=CLI")))
            let proof = Base64.encode(AuthRandom.bytes(32))
            XCTAssertEqual(failureValue(server.receiveClientFinal(bytes("c=biws,r=CLISRV,p=\(proof)"))), .wrongPassword)
        }
    }

    func testSaltIsStablePerUsernameAndKey() throws {
        let first = try serverFirst(username: "ghost", key: key)
        XCTAssertEqual(saltAndIterations(first), saltAndIterations(try serverFirst(username: "ghost", key: key, nonce: "OTHER")))
        XCTAssertNotEqual(saltAndIterations(first), saltAndIterations(try serverFirst(username: "phantom", key: key)))
        XCTAssertNotEqual(saltAndIterations(first), saltAndIterations(try serverFirst(username: "ghost", key: AuthRandom.bytes(32))))
    }

    func testLooksLikeARealServer() throws {
        let first = try serverFirst(username: "ghost", key: key)
        let parts = first.split(separator: ",").map(String.init)
        XCTAssertEqual(parts.count, 3)
        XCTAssertEqual(parts[0], "r=CLISRV")
        XCTAssertEqual(Base64.decode(String(parts[1].dropFirst(2)))?.count, 16)
        XCTAssertEqual(parts[2], "i=4096")

        var real = SCRAMServer(secret: SCRAMVerifier.make(password: "pw"), serverNonce: bytes("SRV"))
        let realParts = text(try successValue(real.receiveClientFirst(bytes("n,,n=,r=CLI")))).split(separator: ",")
        XCTAssertEqual(realParts.map(\.count), parts.map(\.count))
    }

    func testReportsProtocolErrorsLikeARealServer() throws {
        let badFirsts = ["p=tls-server-end-point,,n=,r=abc", "n,a=x,n=,r=abc", "n,,n=,r="]
        for message in badFirsts {
            var mock = SCRAMServer.mock(username: "ghost", mockKey: key)
            var real = SCRAMServer(secret: SCRAMVerifier.make(password: "pw", iterations: 1))
            XCTAssertEqual(failureValue(mock.receiveClientFirst(bytes(message))), failureValue(real.receiveClientFirst(bytes(message))))
        }
        var mock = SCRAMServer.mock(username: "ghost", mockKey: key, serverNonce: bytes("SRV"))
        _ = try successValue(mock.receiveClientFirst(bytes("n,,n=,r=CLI")))
        assertInvalidMessage(failureValue(mock.receiveClientFinal(bytes("c=biws,r=CLIXXX,p=AAAA"))), containing: "nonce")
    }
}

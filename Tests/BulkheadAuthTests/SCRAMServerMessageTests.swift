// SCRAMServer's handling of malformed, unsupported and out-of-order client messages.
import BulkheadAuth
import XCTest

final class SCRAMServerMessageTests: XCTestCase {
    static let verifier = SCRAMVerifier.make(password: "pw", iterations: 16)
    let serverNonce = "SRV"

    func freshServer() -> SCRAMServer {
        SCRAMServer(secret: Self.verifier, serverNonce: bytes(serverNonce))
    }

    func failureOfClientFirst(_ message: [UInt8]) -> AuthFailure? {
        var server = freshServer()
        return failureValue(server.receiveClientFirst(message))
    }

    /// Sends a valid client-first with nonce "CLI", then `final`.
    func failureOfClientFinal(_ final: String, first: String = "n,,n=,r=CLI") throws -> AuthFailure? {
        var server = freshServer()
        _ = try successValue(server.receiveClientFirst(bytes(first)))
        return failureValue(server.receiveClientFinal(bytes(final)))
    }

    let proof = Base64.encode([UInt8](repeating: 0xAB, count: 32))

    func testRejectsMalformedClientFirst() {
        let cases: [(String, String)] = [
            ("", "GS2 header"),
            ("n,,", "malformed attribute"),
            ("n,", "GS2 header"),
            ("n,,r=abc", "n= attribute"),
            ("n,,n=", "r= attribute"),
            ("n,,n=user", "r= attribute"),
            ("n,,n=,r=", "nonce"),
            ("n,,n=,r=a b", "nonce"),
            ("n,,n=,x=abc", "r= attribute"),
            ("n,,n=,r=abc,", "malformed attribute"),
            ("n,,n=,r=abc,garbage", "malformed attribute"),
            ("n,,n=,r=abc,=x", "malformed attribute"),
            ("n,,user,r=abc", "malformed attribute"),
            ("x,,n=,r=abc", "channel binding flag"),
            ("nn,,n=,r=abc", "channel binding flag"),
            ("n,x,n=,r=abc", "GS2 header"),
            ("n,,m=ext,n=,r=abc", "mandatory extension"),
        ]
        for (message, fragment) in cases {
            assertInvalidMessage(failureOfClientFirst(bytes(message)), containing: fragment)
        }
    }

    func testRejectsChannelBindingRequest() {
        assertInvalidMessage(failureOfClientFirst(bytes("p=tls-server-end-point,,n=,r=abc")), containing: "SCRAM-SHA-256-PLUS")
        assertInvalidMessage(failureOfClientFirst(bytes("p,,n=,r=abc")), containing: "SCRAM-SHA-256-PLUS")
    }

    func testRejectsAuthorizationIdentity() {
        assertInvalidMessage(failureOfClientFirst(bytes("n,a=admin,n=,r=abc")), containing: "authorization")
    }

    func testRejectsInvalidUTF8() {
        assertInvalidMessage(failureOfClientFirst(bytes("n,,n=") + [0xFF, 0xFE] + bytes(",r=abc")), containing: "UTF-8")
    }

    func testAcceptsBindingFlagYAndExtensions() throws {
        var server = freshServer()
        let first = try successValue(server.receiveClientFirst(bytes("y,,n=anyone,r=CLI,x=extension")))
        XCTAssertEqual(text(first), "r=CLISRV,s=\(Base64.encode(Self.verifier.salt)),i=16")
        // With flag 'y' the client must echo "y,," in c=, so biws no longer fits.
        XCTAssertEqual(try failureOfClientFinal("c=eSws,r=CLISRV,p=\(proof)", first: "y,,n=,r=CLI"), .wrongPassword)
        assertInvalidMessage(try failureOfClientFinal("c=biws,r=CLISRV,p=\(proof)", first: "y,,n=,r=CLI"), containing: "channel binding")
    }

    func testRejectsMalformedClientFinal() throws {
        let short = Base64.encode([UInt8](repeating: 1, count: 31))
        let long = Base64.encode([UInt8](repeating: 1, count: 33))
        let cases: [(String, String)] = [
            ("", "malformed attribute"),
            ("r=CLISRV,p=\(proof)", "c= attribute"),
            ("c=biws", "r= attribute"),
            ("c=biws,r=CLISRV", "p= attribute"),
            ("c=bi!s,r=CLISRV,p=\(proof)", "channel binding"),
            ("c=eSws,r=CLISRV,p=\(proof)", "channel binding"),
            ("c=,r=CLISRV,p=\(proof)", "channel binding"),
            ("c=biws,r=CLI,p=\(proof)", "nonce"),
            ("c=biws,r=CLISRVX,p=\(proof)", "nonce"),
            ("c=biws,r=OTHERSRV,p=\(proof)", "nonce"),
            ("c=biws,r=CLISRV,p=not base64!", "proof"),
            ("c=biws,r=CLISRV,p=", "proof"),
            ("c=biws,r=CLISRV,p=\(short)", "proof"),
            ("c=biws,r=CLISRV,p=\(long)", "proof"),
            ("c=biws,r=CLISRV,p=\(proof),x=late", "p= attribute"),
            ("c=biws,r=CLISRV,p=\(proof),", "malformed attribute"),
        ]
        for (message, fragment) in cases {
            assertInvalidMessage(try failureOfClientFinal(message), containing: fragment)
        }
    }

    func testWellFormedFinalWithWrongProofIsWrongPassword() throws {
        XCTAssertEqual(try failureOfClientFinal("c=biws,r=CLISRV,p=\(proof)"), .wrongPassword)
        XCTAssertEqual(try failureOfClientFinal("c=biws,r=CLISRV,x=ext,p=\(proof)"), .wrongPassword)
    }

    func testRejectsMessagesOutOfOrder() throws {
        var server = freshServer()
        assertInvalidMessage(failureValue(server.receiveClientFinal(bytes("c=biws,r=CLISRV,p=\(proof)"))), containing: "unexpected")

        var twice = freshServer()
        _ = try successValue(twice.receiveClientFirst(bytes("n,,n=,r=CLI")))
        assertInvalidMessage(failureValue(twice.receiveClientFirst(bytes("n,,n=,r=CLI"))), containing: "unexpected")
    }

    func testExchangeEndsAfterAFailure() throws {
        // A rejected client-final must not allow a second guess on the same exchange.
        var client = SCRAMClient(password: "pw", clientNonce: "CLI")
        var server = freshServer()
        let serverFirst = try successValue(server.receiveClientFirst(client.clientFirstMessage()))
        let goodFinal = try client.receiveServerFirst(serverFirst)
        XCTAssertEqual(failureValue(server.receiveClientFinal(bytes("c=biws,r=CLISRV,p=\(proof)"))), .wrongPassword)
        assertInvalidMessage(failureValue(server.receiveClientFinal(goodFinal)), containing: "unexpected")
    }
}

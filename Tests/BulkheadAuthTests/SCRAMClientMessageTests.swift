// SCRAMClient's handling of malformed or hostile server messages.
import BulkheadAuth
import XCTest

final class SCRAMClientMessageTests: XCTestCase {
    let salt = Base64.encode(bytes("saltsaltsaltsalt"))

    func failureOfServerFirst(_ message: String) -> AuthFailure? {
        var client = SCRAMClient(password: "pw", clientNonce: "CLI")
        do throws(AuthFailure) {
            let final = try client.receiveServerFirst(bytes(message))
            XCTFail("accepted \(message), answered \(text(final))")
            return nil
        } catch {
            return error
        }
    }

    func testRejectsMalformedServerFirst() {
        let cases: [(String, String)] = [
            ("", "malformed attribute"),
            ("r=CLISRV", "s= attribute"),
            ("r=CLISRV,s=\(salt)", "i= attribute"),
            ("s=\(salt),r=CLISRV,i=4096", "r= attribute"),
            ("r=CLISRV,i=4096,s=\(salt)", "s= attribute"),
            ("m=ext,r=CLISRV,s=\(salt),i=4096", "mandatory extension"),
            ("r=CLISRV,s=\(salt),i=4096,", "malformed attribute"),
            ("r=XYZSRV,s=\(salt),i=4096", "nonce"),
            ("r=CLI,s=\(salt),i=4096", "nonce"),
            ("r=CL,s=\(salt),i=4096", "nonce"),
            ("r=CLI SRV,s=\(salt),i=4096", "nonce"),
            ("r=CLISRV,s=,i=4096", "salt"),
            ("r=CLISRV,s=c2Fsd!==,i=4096", "salt"),
            ("r=CLISRV,s=c2FsdA,i=4096", "salt"),
            ("r=CLISRV,s=\(salt),i=", "iteration"),
            ("r=CLISRV,s=\(salt),i=0", "iteration"),
            ("r=CLISRV,s=\(salt),i=-1", "iteration"),
            ("r=CLISRV,s=\(salt),i=04096", "iteration"),
            ("r=CLISRV,s=\(salt),i=4096.0", "iteration"),
            ("r=CLISRV,s=\(salt),i=10000001", "iteration"),
            ("r=CLISRV,s=\(salt),i=2147483648", "iteration"),
            ("r=CLISRV,s=\(salt),i=99999999999999999999999999", "iteration"),
        ]
        for (message, fragment) in cases {
            assertInvalidMessage(failureOfServerFirst(message), containing: fragment)
        }
    }

    func testAcceptsServerFirstExtensions() throws {
        var client = SCRAMClient(password: "pw", clientNonce: "CLI")
        let final = text(try client.receiveServerFirst(bytes("r=CLISRV,s=\(salt),i=1,x=future")))
        XCTAssertTrue(final.hasPrefix("c=biws,r=CLISRV,p="), final)
    }

    func testServerErrorIsReported() throws {
        var client = SCRAMClient(password: "pw", clientNonce: "CLI")
        _ = try client.receiveServerFirst(bytes("r=CLISRV,s=\(salt),i=1"))
        XCTAssertThrowsError(try client.receiveServerFinal(bytes("e=invalid-proof"))) { error in
            assertInvalidMessage(error as? AuthFailure, containing: "invalid-proof")
        }
    }

    func testRejectsMalformedServerFinal() throws {
        let cases: [(String, String)] = [
            ("", "malformed attribute"),
            ("x=abc", "v= attribute"),
            ("v=", "server signature"),
            ("v=not base64", "server signature"),
            ("v=\(Base64.encode([UInt8](repeating: 0, count: 32)))", "server signature"),
            ("v=\(Base64.encode([UInt8](repeating: 0, count: 31)))", "server signature"),
        ]
        for (message, fragment) in cases {
            var client = SCRAMClient(password: "pw", clientNonce: "CLI")
            _ = try client.receiveServerFirst(bytes("r=CLISRV,s=\(salt),i=1"))
            XCTAssertThrowsError(try client.receiveServerFinal(bytes(message)), message) { error in
                assertInvalidMessage(error as? AuthFailure, containing: fragment)
            }
        }
    }

    func testRejectsMessagesOutOfOrder() throws {
        var client = SCRAMClient(password: "pw", clientNonce: "CLI")
        XCTAssertThrowsError(try client.receiveServerFinal(bytes("v=AAAA"))) { error in
            assertInvalidMessage(error as? AuthFailure, containing: "unexpected")
        }
        var again = SCRAMClient(password: "pw", clientNonce: "CLI")
        _ = try again.receiveServerFirst(bytes("r=CLISRV,s=\(salt),i=1"))
        XCTAssertThrowsError(try again.receiveServerFirst(bytes("r=CLISRV,s=\(salt),i=1"))) { error in
            assertInvalidMessage(error as? AuthFailure, containing: "unexpected")
        }
    }
}

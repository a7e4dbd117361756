// SCRAMVerifier derivation, PostgreSQL text format, and strict parsing.
import BulkheadAuth
import XCTest

final class SCRAMVerifierTests: XCTestCase {
    /// Computed independently with Python's hashlib.pbkdf2_hmac and hmac for password "postgres",
    /// salt "saltsaltsaltsalt" and 4096 iterations.
    let pinned = "SCRAM-SHA-256$4096:c2FsdHNhbHRzYWx0c2FsdA==$IVvP/XI/7CgH+AJuZtX2Qde/91FRiYJj4670fS22WIE=:s35xvmJ89N/i+qC5gnE2/a3VvP/DFyOXfZFoUAG51Ek="

    func testDeriveMatchesIndependentReference() throws {
        let salt = try XCTUnwrap(Base64.decode("c2FsdHNhbHRzYWx0c2FsdA=="))
        XCTAssertEqual(SCRAMVerifier.derive(password: "postgres", salt: salt, iterations: 4096).description, pinned)
    }

    func testParsesPinnedVerifierIntoItsParts() throws {
        let verifier = try XCTUnwrap(SCRAMVerifier(parsing: pinned))
        XCTAssertEqual(verifier.iterations, 4096)
        XCTAssertEqual(verifier.salt, bytes("saltsaltsaltsalt"))
        XCTAssertEqual(verifier.storedKey.count, 32)
        XCTAssertEqual(verifier.serverKey.count, 32)
        XCTAssertEqual(verifier.description, pinned)
    }

    func testPinnedVerifierAuthenticatesItsPassword() throws {
        let verifier = try XCTUnwrap(SCRAMVerifier(parsing: pinned))
        var client = SCRAMClient(password: "postgres")
        var server = SCRAMServer(secret: verifier)
        XCTAssertEqual(runExchange(client: &client, server: &server), .authenticated)
    }

    func testMakeRoundTripsThroughText() throws {
        let made = SCRAMVerifier.make(password: "hunter2", iterations: 100)
        XCTAssertEqual(made.salt.count, 16)
        XCTAssertEqual(made.iterations, 100)
        XCTAssertEqual(SCRAMVerifier(parsing: made.description), made)
        XCTAssertNotEqual(SCRAMVerifier.make(password: "hunter2", iterations: 100).salt, made.salt)
    }

    func testDeriveClampsIterationsIntoTheParsableRange() {
        let verifier = SCRAMVerifier.derive(password: "p", salt: [1], iterations: 0)
        XCTAssertEqual(verifier.iterations, 1)
        XCTAssertEqual(SCRAMVerifier(parsing: verifier.description), verifier)
    }

    func testAcceptsIterationBounds() {
        let keys = "$IVvP/XI/7CgH+AJuZtX2Qde/91FRiYJj4670fS22WIE=:s35xvmJ89N/i+qC5gnE2/a3VvP/DFyOXfZFoUAG51Ek="
        XCTAssertEqual(SCRAMVerifier(parsing: "SCRAM-SHA-256$1:c2FsdA==" + keys)?.iterations, 1)
        XCTAssertEqual(SCRAMVerifier(parsing: "SCRAM-SHA-256$10000000:c2FsdA==" + keys)?.iterations, 10_000_000)
    }

    func testRejectsMalformedVerifiers() {
        let key = "IVvP/XI/7CgH+AJuZtX2Qde/91FRiYJj4670fS22WIE="
        let key31 = Base64.encode([UInt8](repeating: 1, count: 31))
        let key33 = Base64.encode([UInt8](repeating: 1, count: 33))
        let malformed = [
            "",
            "SCRAM-SHA-256$",
            "SCRAM-SHA-256$4096:c2FsdA==",
            "SCRAM-SHA-256$4096:c2FsdA==$\(key)",
            "SCRAM-SHA-256$4096:c2FsdA==$\(key):\(key)$extra",
            "SCRAM-SHA-256$4096$c2FsdA==$\(key):\(key)",
            "SCRAM-SHA-256$4096:c2FsdA==:x$\(key):\(key)",
            "scram-sha-256$4096:c2FsdA==$\(key):\(key)",
            "SCRAM-SHA-1$4096:c2FsdA==$\(key):\(key)",
            "SCRAM-SHA-256$0:c2FsdA==$\(key):\(key)",
            "SCRAM-SHA-256$-1:c2FsdA==$\(key):\(key)",
            "SCRAM-SHA-256$+4096:c2FsdA==$\(key):\(key)",
            "SCRAM-SHA-256$04096:c2FsdA==$\(key):\(key)",
            "SCRAM-SHA-256$4096x:c2FsdA==$\(key):\(key)",
            "SCRAM-SHA-256$:c2FsdA==$\(key):\(key)",
            "SCRAM-SHA-256$10000001:c2FsdA==$\(key):\(key)",
            "SCRAM-SHA-256$99999999999999999999999:c2FsdA==$\(key):\(key)",
            "SCRAM-SHA-256$4096:$\(key):\(key)",
            "SCRAM-SHA-256$4096:c2Fsd!==$\(key):\(key)",
            "SCRAM-SHA-256$4096:c2FsdA$\(key):\(key)",
            "SCRAM-SHA-256$4096:c2FsdA==$\(key31):\(key)",
            "SCRAM-SHA-256$4096:c2FsdA==$\(key):\(key33)",
            "SCRAM-SHA-256$4096:c2FsdA==$\(key):",
            "SCRAM-SHA-256$4096:c2FsdA==$\(key):\(key)\n",
            " SCRAM-SHA-256$4096:c2FsdA==$\(key):\(key)",
        ]
        for text in malformed {
            XCTAssertNil(SCRAMVerifier(parsing: text), text)
        }
    }
}

// Classification and validation of configured secrets.
import BulkheadAuth
import XCTest

final class StoredSecretTests: XCTestCase {
    let verifierText = "SCRAM-SHA-256$4096:c2FsdHNhbHRzYWx0c2FsdA==$IVvP/XI/7CgH+AJuZtX2Qde/91FRiYJj4670fS22WIE=:s35xvmJ89N/i+qC5gnE2/a3VvP/DFyOXfZFoUAG51Ek="

    func testClassifiesEachForm() throws {
        XCTAssertEqual(StoredSecret(parsing: verifierText), .scram(try XCTUnwrap(SCRAMVerifier(parsing: verifierText))))
        XCTAssertEqual(StoredSecret(parsing: "md53175bce1d3201d16594cebf9d7eb3f9d"), .md5("md53175bce1d3201d16594cebf9d7eb3f9d"))
        XCTAssertEqual(StoredSecret(parsing: "hunter2"), .plaintext("hunter2"))
    }

    func testNearMissesArePlaintextAsInPostgreSQL() {
        let nearMisses = [
            "md53175BCE1D3201D16594CEBF9D7EB3F9D",
            "md53175bce1d3201d16594cebf9d7eb3f9",
            "md53175bce1d3201d16594cebf9d7eb3f9dd",
            "md53175bce1d3201d16594cebf9d7eb3f9g",
            "SCRAM-SHA-256$0:c2FsdA==$x:y",
        ]
        for text in nearMisses {
            XCTAssertEqual(StoredSecret(parsing: text), .plaintext(text), text)
        }
    }

    func testValidateAcceptsWellFormedSecrets() {
        XCTAssertNil(StoredSecret.validate(verifierText))
        XCTAssertNil(StoredSecret.validate("md53175bce1d3201d16594cebf9d7eb3f9d"))
        XCTAssertNil(StoredSecret.validate("an ordinary password"))
    }

    func testValidateExplainsProblems() throws {
        let scram = try XCTUnwrap(StoredSecret.validate("SCRAM-SHA-256$0:c2FsdA==$x:y"))
        XCTAssertTrue(scram.hasPrefix("malformed SCRAM-SHA-256 verifier: "), scram)
        XCTAssertTrue(scram.contains("iteration"), scram)
        let key = try XCTUnwrap(StoredSecret.validate("SCRAM-SHA-256$4096:c2FsdA==$AAAA:AAAA"))
        XCTAssertTrue(key.contains("StoredKey"), key)
        let md5 = try XCTUnwrap(StoredSecret.validate("md53175BCE1D3201D16594CEBF9D7EB3F9D"))
        XCTAssertTrue(md5.contains("lowercase"), md5)
        XCTAssertEqual(StoredSecret.validate(""), "empty password")
    }
}

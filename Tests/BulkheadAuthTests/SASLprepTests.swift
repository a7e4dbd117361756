// Password normalisation (RFC 4013 SASLprep) as observed through verifier derivation.
import BulkheadAuth
import XCTest

final class SASLprepTests: XCTestCase {
    let salt: [UInt8] = Array("saltsaltsaltsalt".utf8)

    func verifier(_ password: String) -> SCRAMVerifier {
        SCRAMVerifier.derive(password: password, salt: salt, iterations: 2)
    }

    func testRFC4013Examples() {
        XCTAssertEqual(verifier("I\u{00AD}X"), verifier("IX"))
        XCTAssertEqual(verifier("\u{00AA}"), verifier("a"))
        XCTAssertEqual(verifier("\u{2168}"), verifier("IX"))
        XCTAssertNotEqual(verifier("user"), verifier("USER"))
    }

    func testMapsNonASCIISpacesAndNormalizesCompatibilityForms() {
        XCTAssertEqual(verifier("a\u{00A0}b"), verifier("a b"))
        XCTAssertEqual(verifier("a\u{3000}b"), verifier("a b"))
        XCTAssertEqual(verifier("\u{FB01}"), verifier("fi"))
        XCTAssertEqual(verifier("e\u{0301}"), verifier("\u{00E9}"))
    }

    func testFallsBackToRawBytesWhenSASLprepRejects() {
        // Prohibited (private use), unassigned in Unicode 3.2, and mixed-direction text all keep the raw bytes,
        // which is visible because the compatibility character is then left alone.
        XCTAssertNotEqual(verifier("\u{2168}\u{E000}"), verifier("IX\u{E000}"))
        XCTAssertNotEqual(verifier("\u{2168}\u{1F600}"), verifier("IX\u{1F600}"))
        XCTAssertNotEqual(verifier("\u{0627}\u{2168}\u{0627}"), verifier("\u{0627}IX\u{0627}"))
        XCTAssertNotEqual(verifier("\u{00AD}"), verifier(""))
    }

    func testRightToLeftPasswordsAreNormalized() {
        XCTAssertEqual(verifier("\u{0627}\u{00A0}\u{0628}"), verifier("\u{0627} \u{0628}"))
    }

    func testASCIIIsUsedVerbatim() {
        XCTAssertNotEqual(verifier("a\u{7}b"), verifier("ab"))
    }
}

// Strict Base64 encoding and decoding.
import BulkheadAuth
import XCTest

final class Base64Tests: XCTestCase {
    func testRFC4648Vectors() {
        let vectors = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                       ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            XCTAssertEqual(Base64.encode(bytes(plain)), encoded)
            XCTAssertEqual(Base64.decode(encoded), bytes(plain))
        }
    }

    func testAllByteValuesRoundTrip() {
        let all = (0...255).map { UInt8($0) }
        for length in 0...all.count where length % 37 == 0 || length < 5 {
            XCTAssertEqual(Base64.decode(Base64.encode(all.prefix(length))), Array(all.prefix(length)))
        }
    }

    func testRejectsNonCanonicalInput() {
        let invalid = ["Zg", "Zg=", "Zg===", "Z===", "====", "=Zg=", "Zg==Zg==", "Zh==", "Zm9=", " Zm9v", "Zm9v\n",
                       "Zm9v ", "Zm-v", "Zm_v", "Zm9v=", "Zm9vY", "Zm\u{00E9}v"]
        for text in invalid {
            XCTAssertNil(Base64.decode(text), text)
        }
        XCTAssertNil(Base64.decode(bytes: [0x5A, 0x6D, 0x39, 0xFF]))
    }
}

// Secure random byte generation.
import BulkheadAuth
import XCTest

final class AuthRandomTests: XCTestCase {
    func testProducesRequestedCountOfFreshBytes() {
        XCTAssertEqual(AuthRandom.bytes(16).count, 16)
        XCTAssertNotEqual(AuthRandom.bytes(32), AuthRandom.bytes(32))
        XCTAssertEqual(AuthRandom.bytes(0), [])
        XCTAssertEqual(AuthRandom.bytes(-3), [])
    }
}

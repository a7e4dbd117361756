// Suggestions come from the closest name within two edits, and names outside that get none.

import XCTest
@testable import BulkheadConfig

final class KeySuggesterTests: XCTestCase {
    func testEditDistance() {
        XCTAssertEqual(KeySuggester.editDistance("kitten", "sitting"), 3)
        XCTAssertEqual(KeySuggester.editDistance("", "abc"), 3)
        XCTAssertEqual(KeySuggester.editDistance("same", "same"), 0)
        XCTAssertEqual(KeySuggester.editDistance("pool_mod", "pool_mode"), 1)
        XCTAssertEqual(KeySuggester.editDistance("abcdefgh", "zzzzzzzz", limit: 2), 3)
    }

    func testSuggestion() {
        let keys = ["pool_mode", "pool_size", "min_pool_size"]
        XCTAssertEqual(KeySuggester.suggestion(for: "pool_sise", among: keys), "pool_size")
        XCTAssertEqual(KeySuggester.suggestion(for: "pol_mde", among: keys), "pool_mode")
        XCTAssertNil(KeySuggester.suggestion(for: "plmd", among: keys))
        XCTAssertNil(KeySuggester.suggestion(for: "pool_mode", among: ["pool_mode"]))
        // Ties go to the alphabetically first candidate, so messages are stable.
        XCTAssertEqual(KeySuggester.suggestion(for: "ab", among: ["ac", "aa"]), "aa")
    }
}

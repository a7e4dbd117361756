// Reading health-check rows: well-formed answers and malformed ones that must throw, never crash.

import BulkheadRouting
import XCTest

final class ProbeResultTests: XCTestCase {
    func testReadsAPrimaryRow() throws {
        let result = try ProbeResult(columns: ["f", "0/3000148", nil, nil])
        XCTAssertEqual(result, .primary(walLSN: LSN(0x300_0148)))
    }

    func testReadsAReplicaRow() throws {
        let result = try ProbeResult(columns: ["t", nil, "0/3000060", "1.25"])
        XCTAssertTrue(result.inRecovery)
        XCTAssertEqual(result.replayLSN, LSN(0x300_0060))
        XCTAssertEqual(result.replayLag, .milliseconds(1250))
        XCTAssertNil(result.walLSN)
    }

    func testNegativeLagFromClockSkewIsNoLagAndHugeLagIsCapped() throws {
        XCTAssertEqual(try ProbeResult(columns: ["t", nil, "0/1", "-0.003"]).replayLag, .zero)
        XCTAssertEqual(try ProbeResult(columns: ["t", nil, "0/1", "1e300"]).replayLag, .seconds(1_000_000_000))
    }

    func testMalformedRowsThrow() {
        let rows: [([String?], ProbeParseError)] = [
            ([], .columnCount(expected: 4, got: 0)),
            (["t", nil, nil], .columnCount(expected: 4, got: 3)),
            ([nil, nil, nil, nil], .badBoolean(nil)),
            (["true", nil, nil, nil], .badBoolean("true")),
            (["f", "xyz", nil, nil], .badLSN("xyz")),
            (["t", nil, "1/2/3", nil], .badLSN("1/2/3")),
            (["t", nil, "0/1", "NaN"], .badLag("NaN")),
            (["t", nil, "0/1", "inf"], .badLag("inf")),
            (["t", nil, "0/1", "soon"], .badLag("soon")),
        ]
        for (columns, expected) in rows {
            XCTAssertThrowsError(try ProbeResult(columns: columns), "\(columns)") { error in
                XCTAssertEqual(error as? ProbeParseError, expected)
            }
        }
    }

    func testErrorsDescribeTheProblem() {
        XCTAssertEqual(ProbeParseError.badLSN("xyz").description, "health check returned 'xyz' for a WAL position")
        XCTAssertEqual(ProbeParseError.badBoolean(nil).description, "health check returned NULL for pg_is_in_recovery()")
    }
}

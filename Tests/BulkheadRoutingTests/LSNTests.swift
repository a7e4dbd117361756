// Parsing, printing, ordering and distance of WAL positions, including malformed text.

import BulkheadRouting
import XCTest

final class LSNTests: XCTestCase {
    func testParsesPostgresTextForm() {
        XCTAssertEqual(LSN("0/0"), LSN.zero)
        XCTAssertEqual(LSN("16/B374D848")?.value, 0x16_B374_D848)
        XCTAssertEqual(LSN("16/b374d848")?.value, 0x16_B374_D848)
        XCTAssertEqual(LSN("FFFFFFFF/FFFFFFFF")?.value, UInt64.max)
        XCTAssertEqual(LSN("00000001/00000000")?.value, 1 << 32)
        XCTAssertEqual(LSN("0/1"[...])?.value, 1)
    }

    func testPrintsLikePostgres() {
        XCTAssertEqual(LSN(0x16_B374_D848).description, "16/B374D848")
        XCTAssertEqual(LSN(0).description, "0/0")
        XCTAssertEqual(LSN(1 << 32).description, "1/0")
        XCTAssertEqual(LSN(UInt64.max).description, "FFFFFFFF/FFFFFFFF")
    }

    func testMalformedTextIsRejected() {
        let malformed = [
            "", "/", "1/", "/1", "1", "1//2", "1/2/3", "G/1", "1/G", " 1/2", "1/2 ", "-1/2", "+1/2", "1/-2",
            "123456789/0", "0/123456789", "0x1/2", "1.5/2", "１/2", "1/2\0", "1\n/2", "ff/ff/", "1/2\u{301}",
        ]
        for text in malformed {
            XCTAssertNil(LSN(text), "accepted \(text.debugDescription)")
        }
    }

    func testRandomTextNeverCrashesAndValidTextRoundTrips() {
        var random = RoutingRandom(seed: 42)
        let alphabet = Array("0123456789abcdefABCDEFG/ -x\u{0}é")
        var accepted = 0
        for _ in 0..<20_000 {
            let length = Int.random(in: 0...20, using: &random)
            let text = String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &random)] })
            guard let lsn = LSN(text) else { continue }
            accepted += 1
            XCTAssertEqual(LSN(lsn.description), lsn, "round trip of \(text)")
        }
        XCTAssertGreaterThan(accepted, 0, "the corpus should contain some valid positions")
        for _ in 0..<1000 {
            let lsn = LSN(random.next())
            XCTAssertEqual(LSN(lsn.description), lsn)
        }
    }

    func testOrdersByPositionNotByText() throws {
        let low = try XCTUnwrap(LSN("0/FFFFFFFF"))
        let high = try XCTUnwrap(LSN("1/0"))
        XCTAssertLessThan(low, high)
        XCTAssertLessThan(try XCTUnwrap(LSN("9/0")), try XCTUnwrap(LSN("A/0")))
        XCTAssertEqual([high, low, .zero].sorted(), [.zero, low, high])
    }

    func testBytesSinceIsTheDistanceAndNeverNegative() throws {
        let replica = try XCTUnwrap(LSN("0/3000000"))
        let primary = try XCTUnwrap(LSN("0/3000A00"))
        XCTAssertEqual(primary.bytes(since: replica), 0xA00)
        XCTAssertEqual(replica.bytes(since: primary), 0, "a replica sample newer than the primary's is no lag")
        XCTAssertEqual(try XCTUnwrap(LSN("1/0")).bytes(since: try XCTUnwrap(LSN("0/FFFFFFFF"))), 1)
    }

    func testAdvancingSaturates() {
        XCTAssertEqual(LSN(10).advanced(by: 5), LSN(15))
        XCTAssertEqual(LSN(UInt64.max - 1).advanced(by: 10), LSN(UInt64.max))
    }

    /// An insert position just past a page header asks a replica for the page boundary, where its replay of
    /// the last record ends; anywhere else the position is required as it is.
    func testAnInsertPositionPastAPageHeaderRequiresOnlyThePageStart() throws {
        XCTAssertEqual(try XCTUnwrap(LSN("0/2076E018")).replayRequirement, try XCTUnwrap(LSN("0/2076E000")), "short header, 24 bytes")
        XCTAssertEqual(try XCTUnwrap(LSN("0/21000028")).replayRequirement, try XCTUnwrap(LSN("0/21000000")), "a segment's long header, 40 bytes")
        XCTAssertEqual(try XCTUnwrap(LSN("0/2076E020")).replayRequirement, try XCTUnwrap(LSN("0/2076E000")), "the tail of a record crossing the page")
        XCTAssertEqual(try XCTUnwrap(LSN("0/2076E030")).replayRequirement, try XCTUnwrap(LSN("0/2076E030")), "past the header, a record may end")
        XCTAssertEqual(try XCTUnwrap(LSN("0/2076E000")).replayRequirement, try XCTUnwrap(LSN("0/2076E000")))
        XCTAssertEqual(try XCTUnwrap(LSN("0/2076E8A8")).replayRequirement, try XCTUnwrap(LSN("0/2076E8A8")))
    }
}

// Cancel requests and COPY in both directions through the proxy, driven by libpq.

import CLibPQ
import Foundation
import XCTest

final class CancelAndCopyTests: XCTestCase {
    nonisolated(unsafe) var proxy: ProxyFixture!

    override func setUpWithError() throws { proxy = try ProxyFixture.start(ProxyOptions(poolSize: 4)) }
    override func tearDown() { proxy?.stop() }

    func testCancelEndsASleepWith57014WithinOneSecond() throws {
        let connection = try proxy.connect()
        try connection.send("SELECT pg_sleep(10)")
        Thread.sleep(forTimeInterval: 0.3)
        let start = Date()
        XCTAssertTrue(connection.cancel())
        XCTAssertThrowsError(try connection.results()) { error in
            XCTAssertEqual((error as? PQError)?.sqlState, "57014", "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 1.0)
        XCTAssertEqual(try connection.exec("SELECT 'still usable'").first, "still usable")
    }

    func testCancelWithAForgedKeyIsIgnored() throws {
        let victim = try proxy.connect()
        try victim.send("SELECT pg_sleep(1.5), 'finished'")
        Thread.sleep(forTimeInterval: 0.2)
        // A raw CancelRequest with the victim's process ID but a wrong secret.
        var request: [UInt8] = [0, 0, 0, 16, 0x04, 0xD2, 0x16, 0x2E]
        let pid = UInt32(bitPattern: PQbackendPID(victim.raw))
        request += withUnsafeBytes(of: pid.bigEndian, Array.init)
        request += [0xDE, 0xAD, 0xBE, 0xEF]
        try RawClient(port: proxy.port).send(request)
        XCTAssertEqual(try victim.results().rows.first?[1], "finished")
    }

    func testCopyInAndOutRoundTrip() throws {
        let connection = try proxy.connect()
        try connection.exec("DROP TABLE IF EXISTS bulkhead_it_copy")
        try connection.exec("CREATE TABLE bulkhead_it_copy(id int, note text)")
        let rows = (1...5000).map { "\($0)\tnote \($0) with tab\\tand newline\\n" }.joined(separator: "\n") + "\n"
        XCTAssertEqual(try connection.copyIn("COPY bulkhead_it_copy FROM STDIN", data: rows).command, "COPY 5000")
        XCTAssertEqual(try connection.exec("SELECT count(*), sum(id) FROM bulkhead_it_copy").rows.first, ["5000", "12502500"])
        let back = try connection.copyOut("COPY (SELECT * FROM bulkhead_it_copy ORDER BY id) TO STDOUT")
        XCTAssertEqual(back, rows)
        let big = try connection.copyOut("COPY (SELECT g, repeat('x', 100) FROM generate_series(1, 100000) g) TO STDOUT")
        XCTAssertEqual(big.split(separator: "\n").count, 100_000)
    }

    func testFailedCopyInLeavesTheSessionUsable() throws {
        let connection = try proxy.connect()
        try connection.exec("CREATE TEMP TABLE t(id int)")
        XCTAssertThrowsError(try connection.copyIn("COPY t FROM STDIN", data: "1\nnot-a-number\n"))
        XCTAssertEqual(try connection.exec("SELECT count(*) FROM t").first, "0")
    }
}

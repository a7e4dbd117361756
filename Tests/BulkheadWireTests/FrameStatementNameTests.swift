// Checks the in-place reads of which prepared statement a message names.

import BulkheadWire
import NIOCore
import XCTest

final class FrameStatementNameTests: XCTestCase {
    private func frame(_ message: FrontendMessage) -> Frame {
        var buffer = ByteBuffer()
        message.encode(into: &buffer)
        return Frame(uncheckedRaw: buffer)
    }

    private func bind(portal: String, statement: String) -> Frame {
        frame(.bind(Bind(portal: portal, statement: statement, parameterFormats: [0], parameters: [ByteBuffer(string: "42")],
                         resultFormats: [])))
    }

    func testBindNamesItsStatement() {
        XCTAssertEqual(bind(portal: "", statement: "P0_1").boundStatementName, "P0_1")
        XCTAssertEqual(bind(portal: "cursor", statement: "s").boundStatementName, "s")
        XCTAssertEqual(bind(portal: "p", statement: "").boundStatementName, "")
        XCTAssertTrue(bind(portal: "p", statement: "").namesUnnamedStatement)
        XCTAssertFalse(bind(portal: "", statement: "s").namesUnnamedStatement)
    }

    func testOtherMessagesNameNoBoundStatement() {
        XCTAssertNil(frame(.parse(Parse(name: "s", query: "SELECT 1", parameterTypes: []))).boundStatementName)
        XCTAssertNil(frame(.sync).boundStatementName)
    }

    /// A Bind cut short inside its names is left to the full decoder.
    func testTruncatedBindNamesNothing() {
        var raw = ByteBuffer()
        raw.writeInteger(UInt8(ascii: "B"))
        raw.writeInteger(Int32(4 + 3))
        raw.writeBytes([0, UInt8(ascii: "s"), UInt8(ascii: "1")])
        XCTAssertNil(Frame(uncheckedRaw: raw).boundStatementName)
        var portalOnly = ByteBuffer()
        portalOnly.writeInteger(UInt8(ascii: "B"))
        portalOnly.writeInteger(Int32(4 + 2))
        portalOnly.writeBytes([UInt8(ascii: "p"), 0])
        XCTAssertNil(Frame(uncheckedRaw: portalOnly).boundStatementName)
    }
}

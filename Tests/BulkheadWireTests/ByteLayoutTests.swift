// Pins exact byte layouts against hand-written bytes from the protocol documentation.
import NIOCore
import XCTest

import BulkheadWire

final class ByteLayoutTests: XCTestCase {
    private func assertLayout(_ message: FrontendMessage, _ expected: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(WireBytes.bytes(MessageSamples.encoded(message)), expected, file: file, line: line)
    }

    private func assertLayout(_ message: BackendMessage, _ expected: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(WireBytes.bytes(MessageSamples.encoded(message)), expected, file: file, line: line)
    }

    func testQuerySelect1() {
        assertLayout(
            .query("SELECT 1"),
            [0x51, 0x00, 0x00, 0x00, 0x0D, 0x53, 0x45, 0x4C, 0x45, 0x43, 0x54, 0x20, 0x31, 0x00]
        )
    }

    func testReadyForQueryIdle() {
        assertLayout(.readyForQuery(.idle), [0x5A, 0x00, 0x00, 0x00, 0x05, 0x49])
    }

    func testAuthenticationMD5Password() {
        assertLayout(
            .authentication(.md5Password(salt: [0xDE, 0xAD, 0xBE, 0xEF])),
            [0x52, 0x00, 0x00, 0x00, 0x0C, 0x00, 0x00, 0x00, 0x05, 0xDE, 0xAD, 0xBE, 0xEF]
        )
    }

    func testAuthenticationOk() {
        assertLayout(.authentication(.ok), [0x52, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00])
    }

    func testAuthenticationSASLListEndsWithEmptyString() {
        assertLayout(
            .authentication(.sasl(mechanisms: ["SCRAM-SHA-256"])),
            [0x52, 0x00, 0x00, 0x00, 0x17, 0x00, 0x00, 0x00, 0x0A] + WireBytes.cstr("SCRAM-SHA-256") + [0x00]
        )
    }

    func testSyncAndTerminate() {
        assertLayout(.sync, [0x53, 0x00, 0x00, 0x00, 0x04])
        assertLayout(.terminate, [0x58, 0x00, 0x00, 0x00, 0x04])
    }

    func testBindWithNullParameter() {
        let bind = Bind(portal: "", statement: "s", parameterFormats: [1], parameters: [nil, ByteBuffer(bytes: [7])], resultFormats: [])
        assertLayout(
            .bind(bind),
            [0x42, 0x00, 0x00, 0x00, 0x18, 0x00, 0x73, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x02]
                + [0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x01, 0x07, 0x00, 0x00]
        )
    }

    func testDescribePortal() {
        assertLayout(.describe(Describe(target: .portal("p"))), [0x44, 0x00, 0x00, 0x00, 0x07, 0x50, 0x70, 0x00])
    }

    func testSASLInitialResponseWithoutData() {
        assertLayout(
            .saslInitialResponse(SASLInitialResponse(mechanism: "X", data: nil)),
            [0x70, 0x00, 0x00, 0x00, 0x0A, 0x58, 0x00, 0xFF, 0xFF, 0xFF, 0xFF]
        )
    }

    func testSSLRequest() {
        var buffer = ByteBuffer()
        SSLRequest.encode(into: &buffer)
        XCTAssertEqual(WireBytes.bytes(buffer), [0x00, 0x00, 0x00, 0x08, 0x04, 0xD2, 0x16, 0x2F])
    }

    func testCancelRequest() {
        var buffer = ByteBuffer()
        CancelRequest(processID: 0x0102_0304, secretKey: -2).encode(into: &buffer)
        XCTAssertEqual(
            WireBytes.bytes(buffer),
            [0x00, 0x00, 0x00, 0x10, 0x04, 0xD2, 0x16, 0x2E, 0x01, 0x02, 0x03, 0x04, 0xFF, 0xFF, 0xFF, 0xFE]
        )
    }

    func testStartupMessage() {
        var buffer = ByteBuffer()
        StartupMessage(parameters: [StartupParameter(name: "user", value: "pg")]).encode(into: &buffer)
        XCTAssertEqual(
            WireBytes.bytes(buffer),
            [0x00, 0x00, 0x00, 0x11, 0x00, 0x03, 0x00, 0x00] + WireBytes.cstr("user") + WireBytes.cstr("pg") + [0x00]
        )
    }

    func testFrameInitBuildsHeader() {
        let frame = Frame(type: MessageType.Frontend.query, body: ByteBuffer(bytes: WireBytes.cstr("x")))
        XCTAssertEqual(WireBytes.bytes(frame.raw), [0x51, 0x00, 0x00, 0x00, 0x06, 0x78, 0x00])
        XCTAssertEqual(frame.type, MessageType.Frontend.query)
        XCTAssertEqual(WireBytes.bytes(frame.body), [0x78, 0x00])
    }

    func testFrameAccessorsOnDegenerateRaw() {
        let empty = Frame(uncheckedRaw: ByteBuffer())
        XCTAssertEqual(empty.type, 0)
        XCTAssertEqual(empty.body.readableBytes, 0)
    }
}

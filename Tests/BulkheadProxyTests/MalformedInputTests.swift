// Malformed client bytes end that client alone, with an 08P01 error, while the runtime keeps serving others.

@testable import BulkheadProxy
import BulkheadWire
import NIOCore
import XCTest

final class MalformedInputTests: XCTestCase {
    /// A frame header claiming a length below the minimum of 4.
    func testTypedFrameWithLengthTwoIsAProtocolViolation() throws {
        var garbage = ByteBuffer()
        garbage.writeInteger(MessageType.Frontend.query)
        garbage.writeInteger(Int32(2))
        try assertViolationEndsOnlyThisClient(loggedIn: true, garbage: garbage)
    }

    /// A frame header claiming far more than max_message_length (4096 here); the body never comes.
    func testOversizedFrameLengthIsAProtocolViolation() throws {
        var garbage = ByteBuffer()
        garbage.writeInteger(MessageType.Frontend.query)
        garbage.writeInteger(Int32(1 << 30))
        try assertViolationEndsOnlyThisClient(loggedIn: true, garbage: garbage)
    }

    /// A well-formed frame of a type no client may send.
    func testUnknownMessageTypeAfterLoginIsAProtocolViolation() throws {
        let garbage = ByteBuffer().writingFrame(type: UInt8(ascii: "z"), body: [1, 2, 3])
        try assertViolationEndsOnlyThisClient(loggedIn: true, garbage: garbage)
    }

    /// A startup packet whose length word is below the minimum.
    func testStartupPacketWithInvalidLengthIsAProtocolViolation() throws {
        var garbage = ByteBuffer()
        garbage.writeInteger(Int32(3))
        garbage.writeInteger(UInt32(0))
        try assertViolationEndsOnlyThisClient(loggedIn: false, garbage: garbage)
    }

    private func assertViolationEndsOnlyThisClient(
        loggedIn: Bool, garbage: ByteBuffer, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let harness = try ProxyHarness()
        let client = loggedIn ? try harness.loginTrust().client : try harness.connectClient()
        let connectionsBefore = harness.connector.connections.count
        XCTAssertEqual(harness.runtime.clientCount, 1, file: file, line: line)

        try client.send(raw: garbage)
        harness.run()

        let messages = try client.receivedMessages()
        XCTAssertEqual(messages.errors.map(\.sqlState), ["08P01"], "client received \(messages)", file: file, line: line)
        XCTAssertEqual(messages.errors.first?.severity, "FATAL", file: file, line: line)
        XCTAssertTrue(client.isClosed, "the offending client must be disconnected", file: file, line: line)
        XCTAssertEqual(harness.runtime.clientCount, 0, file: file, line: line)
        XCTAssertEqual(harness.connector.connections.count, connectionsBefore, "garbage must not open server connections",
                       file: file, line: line)

        // Another client of the same runtime logs in and runs a query as if nothing happened. Once a server of the
        // pool has logged in (the offender's), the login completes without one and the query takes a new connection:
        // the offender's connection is still being reset.
        let other = try harness.loginTrust()
        XCTAssertEqual(other.newServer == nil, loggedIn, "only the pool's first login takes a server connection", file: file, line: line)
        let query = FrontendMessage.query("SELECT 1")
        let opened = try harness.send(query, from: other.client)
        XCTAssertEqual(opened == nil, !loggedIn, "the query needs a connection only when the login took none", file: file, line: line)
        let server = try XCTUnwrap(other.newServer ?? opened, file: file, line: line)
        XCTAssertEqual(try server.receivedMessages(), [query], file: file, line: line)
        let answer = WireDecoding.encode([.commandComplete("SELECT 1"), .readyForQuery(.idle)])
        try server.send(raw: answer)
        harness.run()
        XCTAssertEqual(try other.client.receivedBytes(), answer, file: file, line: line)
    }
}

extension ByteBuffer {
    /// This buffer followed by one frame with an arbitrary type byte and body.
    func writingFrame(type: UInt8, body: [UInt8]) -> ByteBuffer {
        var buffer = self
        buffer.writeInteger(type)
        buffer.writeInteger(Int32(4 + body.count))
        buffer.writeBytes(body)
        return buffer
    }
}

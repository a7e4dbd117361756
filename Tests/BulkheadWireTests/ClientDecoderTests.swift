// ClientDecoder moves from untyped startup packets to typed frames exactly as PostgreSQL's postmaster does.
import NIOCore
import NIOTestUtils
import XCTest

import BulkheadWire

final class ClientDecoderTests: XCTestCase {
    // The verifier shuffles and repeats its inputs on one decoder, so it can only check inputs that are
    // valid in any order: the repeatable encryption requests, and typed frames once startup is over.
    func testVerifierOverRepeatableStartupRequests() throws {
        let pairs: [(ByteBuffer, [ClientPacket])] = [
            (MessageSamples.encoded(.sslRequest), [.startup(.sslRequest)]),
            (MessageSamples.encoded(.gssEncRequest), [.startup(.gssEncRequest)]),
        ]
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            ClientDecoder(maxMessageLength: 1 << 16)
        }
    }

    func testVerifierOverTypedFramesAfterStartup() throws {
        var started = ClientDecoder(maxMessageLength: 1 << 16)
        var startup = MessageSamples.encoded(.startup(MessageSamples.startupMessage))
        XCTAssertEqual(try started.decode(buffer: &startup), .startup(.startup(MessageSamples.startupMessage)))
        let pairs = MessageSamples.frontend.map { message, _ in
            let encoded = MessageSamples.encoded(message)
            return (encoded, [ClientPacket.message(Frame(uncheckedRaw: encoded))])
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { started }
    }

    /// The ordered session the verifier cannot express: drip-fed byte by byte, then all at once.
    func testWholeSessionDecodesInOrderWhateverTheChunking() throws {
        let cancel = StartupPacket.cancel(CancelRequest(processID: 9, secretKey: 10))
        let sessions: [[ClientPacket]] = [
            [.startup(.sslRequest), .startup(.gssEncRequest), .startup(.startup(MessageSamples.startupMessage))]
                + MessageSamples.frontend.map { .message($0.0.frame) },
            [.startup(.sslRequest), .startup(cancel)],
        ]
        for expected in sessions {
            var stream = ByteBuffer()
            for packet in expected {
                switch packet {
                case .startup(let startup): startup.encode(into: &stream)
                case .message(let frame): stream.writeImmutableBuffer(frame.raw)
                }
            }
            for chunkSize in [1, 2, 7, stream.readableBytes] {
                XCTAssertEqual(try Self.decode(stream, chunkSize: chunkSize), expected, "chunk size \(chunkSize)")
            }
        }
    }

    private static func decode(_ stream: ByteBuffer, chunkSize: Int) throws -> [ClientPacket] {
        var decoder = ClientDecoder(maxMessageLength: 1 << 16)
        var pending = ByteBuffer()
        var remaining = stream
        var packets: [ClientPacket] = []
        while let chunk = remaining.readSlice(length: min(chunkSize, remaining.readableBytes)), chunk.readableBytes > 0 {
            pending.writeImmutableBuffer(chunk)
            while let packet = try decoder.decode(buffer: &pending) {
                packets.append(packet)
            }
        }
        XCTAssertEqual(pending.readableBytes, 0)
        return packets
    }

    func testStartupBytesAreTypedAfterStartupMessage() throws {
        // Bytes behind the StartupMessage in the same buffer must already be read as typed frames.
        var bytes = MessageSamples.encoded(.startup(MessageSamples.startupMessage))
        FrontendMessage.query("SELECT 1").encode(into: &bytes)
        let packets = try Self.decode(bytes, chunkSize: bytes.readableBytes)
        XCTAssertEqual(packets.count, 2)
        guard case .message(let frame) = packets.last else {
            return XCTFail("expected a typed frame after startup")
        }
        XCTAssertEqual(try FrontendMessage.decode(frame), .query("SELECT 1"))
    }

    func testBytesAfterCancelRequestAreAViolation() throws {
        var decoder = ClientDecoder(maxMessageLength: 1 << 16)
        var buffer = MessageSamples.encoded(.cancel(CancelRequest(processID: 1, secretKey: 2)))
        XCTAssertEqual(try decoder.decode(buffer: &buffer), .startup(.cancel(CancelRequest(processID: 1, secretKey: 2))))
        XCTAssertNil(try decoder.decode(buffer: &buffer), "nothing more is fine")
        buffer.writeInteger(UInt8(0))
        XCTAssertThrowsError(try decoder.decode(buffer: &buffer)) { XCTAssertTrue($0 is ProtocolViolation) }
    }

    func testStartupLengthIsCheckedFromTheLengthWordAlone() {
        var decoder = ClientDecoder(maxMessageLength: 1 << 16, maxStartupLength: 100)
        var tooShort = WireBytes.buffer(WireBytes.int32(7))
        XCTAssertThrowsError(try decoder.decode(buffer: &tooShort)) { XCTAssertTrue($0 is ProtocolViolation) }

        var fresh = ClientDecoder(maxMessageLength: 1 << 16, maxStartupLength: 100)
        var tooLong = WireBytes.buffer(WireBytes.int32(101))
        XCTAssertThrowsError(try fresh.decode(buffer: &tooLong)) { XCTAssertTrue($0 is ProtocolViolation) }
    }

    func testTypedFramesObeyMaxMessageLengthAfterStartup() throws {
        var decoder = ClientDecoder(maxMessageLength: 64)
        var buffer = MessageSamples.encoded(.startup(MessageSamples.startupMessage))
        XCTAssertNotNil(try decoder.decode(buffer: &buffer))
        buffer.writeBytes([0x51] + WireBytes.int32(64))
        XCTAssertThrowsError(try decoder.decode(buffer: &buffer)) { XCTAssertTrue($0 is ProtocolViolation) }
    }

    func testPartialStartupPacketWaits() throws {
        var decoder = ClientDecoder(maxMessageLength: 1 << 16)
        let bytes = WireBytes.bytes(MessageSamples.encoded(.startup(MessageSamples.startupMessage)))
        var buffer = WireBytes.buffer(Array(bytes.dropLast()))
        XCTAssertNil(try decoder.decode(buffer: &buffer))
        XCTAssertEqual(buffer.readableBytes, bytes.count - 1)
        buffer.writeInteger(bytes[bytes.count - 1])
        XCTAssertEqual(try decoder.decode(buffer: &buffer), .startup(.startup(MessageSamples.startupMessage)))
    }
}

// FrameDecoder splits streams correctly and rejects bad lengths before buffering the body.
import NIOCore
import NIOTestUtils
import XCTest

import BulkheadWire

final class FrameDecoderTests: XCTestCase {
    func testVerifierWithEveryBackendMessage() throws {
        let pairs = MessageSamples.backend.map { message in
            let encoded = MessageSamples.encoded(message)
            return (encoded, [Frame(uncheckedRaw: encoded)])
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) {
            FrameDecoder(maxMessageLength: 1 << 16)
        }
    }

    func testVerifierWithSeveralFramesPerBuffer() throws {
        var combined = ByteBuffer()
        var frames: [Frame] = []
        for (message, _) in MessageSamples.frontend {
            let encoded = MessageSamples.encoded(message)
            combined.writeImmutableBuffer(encoded)
            frames.append(Frame(uncheckedRaw: encoded))
        }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: [(combined, frames)]) {
            FrameDecoder(maxMessageLength: 1 << 16)
        }
    }

    func testLengthBelowFourThrowsAfterFiveBytes() {
        var decoder = FrameDecoder(maxMessageLength: 1024)
        var buffer = WireBytes.buffer([0x51, 0x00, 0x00, 0x00])
        XCTAssertNil(try decoder.decode(buffer: &buffer), "four bytes are not yet a header")
        buffer.writeInteger(UInt8(3))
        XCTAssertThrowsError(try decoder.decode(buffer: &buffer)) { XCTAssertTrue($0 is ProtocolViolation) }
    }

    func testNegativeLengthThrows() {
        var decoder = FrameDecoder(maxMessageLength: 1024)
        var buffer = WireBytes.buffer([0x51] + WireBytes.int32(-1))
        XCTAssertThrowsError(try decoder.decode(buffer: &buffer)) { XCTAssertTrue($0 is ProtocolViolation) }
    }

    func testOversizedLengthThrowsAfterFiveBytes() {
        var decoder = FrameDecoder(maxMessageLength: 1024)
        // 1 + 1024 = 1025 total bytes: one over the limit, and only the header has arrived.
        var buffer = WireBytes.buffer([0x51] + WireBytes.int32(1024))
        XCTAssertThrowsError(try decoder.decode(buffer: &buffer)) { error in
            XCTAssertTrue(error is ProtocolViolation)
        }
    }

    func testLengthAtTheLimitWaitsForTheBody() throws {
        var decoder = FrameDecoder(maxMessageLength: 1024)
        var buffer = WireBytes.buffer([0x64] + WireBytes.int32(1023))
        XCTAssertNil(try decoder.decode(buffer: &buffer))
        XCTAssertEqual(buffer.readableBytes, 5, "a partial frame must not be consumed")
        buffer.writeRepeatingByte(0x41, count: 1019)
        let frame = try XCTUnwrap(try decoder.decode(buffer: &buffer))
        XCTAssertEqual(frame.raw.readableBytes, 1024)
        XCTAssertEqual(frame.body.readableBytes, 1019)
        XCTAssertEqual(buffer.readableBytes, 0)
    }

    func testMinimalFrameDecodes() throws {
        var decoder = FrameDecoder(maxMessageLength: 5)
        var buffer = WireBytes.buffer([0x53, 0, 0, 0, 4, 0x48])
        let frame = try XCTUnwrap(try decoder.decode(buffer: &buffer))
        XCTAssertEqual(frame.type, MessageType.Frontend.sync)
        XCTAssertEqual(frame.body.readableBytes, 0)
        XCTAssertEqual(buffer.readableBytes, 1)
    }
}

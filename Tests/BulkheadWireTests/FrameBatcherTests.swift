// FrameBatcher returns each read's whole frames unchanged, keeps partial ones, and rejects bad lengths at the header.
import NIOCore
import XCTest

import BulkheadWire

final class FrameBatcherTests: XCTestCase {
    private func stream() -> (bytes: ByteBuffer, frames: [ByteBuffer]) {
        var bytes = ByteBuffer()
        var frames: [ByteBuffer] = []
        for message in MessageSamples.backend {
            let encoded = MessageSamples.encoded(message)
            bytes.writeImmutableBuffer(encoded)
            frames.append(encoded)
        }
        return (bytes, frames)
    }

    private func split(_ batch: ByteBuffer) -> [ByteBuffer] {
        var rest = batch
        var out: [ByteBuffer] = []
        while let frame = Frame.next(in: &rest) { out.append(frame.raw) }
        XCTAssertEqual(rest.readableBytes, 0, "a batch holds whole frames only")
        return out
    }

    func testEveryChunkingYieldsTheSameFramesInOrder() throws {
        let (bytes, frames) = stream()
        for chunk in [1, 2, 3, 5, 7, 64, bytes.readableBytes] {
            var batcher = FrameBatcher(maxMessageLength: 1 << 16)
            var seen: [ByteBuffer] = []
            var offset = 0
            while offset < bytes.readableBytes {
                let length = min(chunk, bytes.readableBytes - offset)
                let piece = try XCTUnwrap(bytes.getSlice(at: bytes.readerIndex + offset, length: length))
                if let batch = try batcher.append(piece) { seen += split(batch) }
                offset += length
            }
            XCTAssertEqual(seen, frames, "chunks of \(chunk)")
            XCTAssertEqual(batcher.bufferedBytes, 0)
        }
    }

    func testOneReadOfManyFramesIsOneBuffer() throws {
        let (bytes, frames) = stream()
        var batcher = FrameBatcher(maxMessageLength: 1 << 16)
        let batch = try XCTUnwrap(try batcher.append(bytes))
        XCTAssertEqual(batch.readableBytes, bytes.readableBytes)
        XCTAssertEqual(split(batch), frames)
    }

    func testPartialFrameIsHeldBack() throws {
        var batcher = FrameBatcher(maxMessageLength: 1024)
        let whole = WireBytes.buffer([0x5A] + WireBytes.int32(5) + [0x49])
        var input = whole
        input.writeBytes([0x44] + WireBytes.int32(6))
        let batch = try XCTUnwrap(try batcher.append(input))
        XCTAssertEqual(batch, whole)
        XCTAssertEqual(batcher.bufferedBytes, 5)
        let rest = try XCTUnwrap(try batcher.append(WireBytes.buffer([0x00, 0x00])))
        XCTAssertEqual(rest, WireBytes.buffer([0x44] + WireBytes.int32(6) + [0x00, 0x00]))
    }

    func testOversizedHeaderThrowsBeforeTheBodyArrives() {
        var batcher = FrameBatcher(maxMessageLength: 1024)
        XCTAssertThrowsError(try batcher.append(WireBytes.buffer([0x44] + WireBytes.int32(1024)))) {
            XCTAssertTrue($0 is ProtocolViolation)
        }
    }

    func testLengthBelowFourThrowsEvenBehindWholeFrames() {
        var batcher = FrameBatcher(maxMessageLength: 1024)
        let input = WireBytes.buffer([0x5A] + WireBytes.int32(5) + [0x49] + [0x44] + WireBytes.int32(3))
        XCTAssertThrowsError(try batcher.append(input)) { XCTAssertTrue($0 is ProtocolViolation) }
    }

    func testNextStopsAtATruncatedFrame() {
        var buffer = WireBytes.buffer([0x44] + WireBytes.int32(10) + [0x00])
        XCTAssertNil(Frame.next(in: &buffer))
        XCTAssertEqual(buffer.readableBytes, 6, "nothing consumed")
    }
}

// Splits a byte stream into typed frames, rejecting bad lengths as soon as the header arrives.
import NIOCore

/// Frame decoder for typed messages (server->proxy direction, and client->proxy after startup).
///
/// The length field is checked BEFORE the body is buffered: a length below 4 or a frame larger than
/// `maxMessageLength` (counting the type byte) throws at once, so a peer cannot make us hold a huge buffer.
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder, Sendable {
    public typealias InboundOut = Frame

    /// Largest accepted frame, type byte and length field included.
    public let maxMessageLength: Int

    /// Creates a decoder accepting frames of at most `maxMessageLength` bytes in total.
    public init(maxMessageLength: Int) {
        self.maxMessageLength = maxMessageLength
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> Frame? {
        try self.nextFrame(from: &buffer)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> Frame? {
        // A partial frame at EOF is left in the buffer; NIO reports it as leftover data.
        try self.nextFrame(from: &buffer)
    }

    /// Typed-throwing core, shared with `ClientDecoder` once startup is over.
    func nextFrame(from buffer: inout ByteBuffer) throws(ProtocolViolation) -> Frame? {
        guard let length = buffer.getInteger(at: buffer.readerIndex &+ 1, as: Int32.self) else {
            return nil
        }
        guard length >= 4 else {
            throw ProtocolViolation("invalid message length \(length)")
        }
        let total = 1 + Int(length)
        guard total <= self.maxMessageLength else {
            throw ProtocolViolation("message length \(length) exceeds the limit of \(self.maxMessageLength) bytes")
        }
        guard let raw = buffer.readSlice(length: total) else {
            return nil
        }
        return Frame(uncheckedRaw: raw)
    }
}

// Decodes a client's byte stream, switching from untyped startup packets to typed frames as PostgreSQL does.
import NIOCore

/// What a client sends: first untyped startup packets, then typed frames.
///
/// SSLRequest/GSSENCRequest may be followed by another startup packet; after a StartupMessage the decoder
/// switches itself to typed frames; after a CancelRequest any further byte is a violation.
///
/// After an SSLRequest the caller must check that no bytes remain buffered before starting TLS: bytes sent
/// ahead of the handshake were not protected by it (CVE-2021-23214).
public struct ClientDecoder: NIOSingleStepByteToMessageDecoder, Sendable {
    public typealias InboundOut = ClientPacket

    private enum Phase: Sendable {
        case startup
        case messages
        case cancelled
    }

    private var phase: Phase = .startup
    private var frames: FrameDecoder
    /// Largest accepted startup packet, length word included.
    public let maxStartupLength: Int

    /// Creates a decoder; `maxMessageLength` bounds typed frames, `maxStartupLength` bounds startup packets.
    public init(maxMessageLength: Int, maxStartupLength: Int = 10_000) {
        self.frames = FrameDecoder(maxMessageLength: maxMessageLength)
        self.maxStartupLength = maxStartupLength
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> ClientPacket? {
        try self.next(from: &buffer)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> ClientPacket? {
        try self.next(from: &buffer)
    }

    private mutating func next(from buffer: inout ByteBuffer) throws(ProtocolViolation) -> ClientPacket? {
        switch self.phase {
        case .messages:
            return try self.frames.nextFrame(from: &buffer).map(ClientPacket.message)
        case .cancelled:
            guard buffer.readableBytes == 0 else {
                throw ProtocolViolation("unexpected data after CancelRequest")
            }
            return nil
        case .startup:
            guard let packet = try self.nextStartupPacket(from: &buffer) else {
                return nil
            }
            switch packet {
            case .startup: self.phase = .messages
            case .cancel: self.phase = .cancelled
            case .sslRequest, .gssEncRequest: break
            }
            return .startup(packet)
        }
    }

    /// Checks the length word before buffering the packet, like `FrameDecoder` does for frames.
    private func nextStartupPacket(from buffer: inout ByteBuffer) throws(ProtocolViolation) -> StartupPacket? {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: Int32.self) else {
            return nil
        }
        guard length >= StartupPacket.minimumLength, length <= self.maxStartupLength else {
            throw ProtocolViolation("invalid length of startup packet")
        }
        guard var body = buffer.getSlice(at: buffer.readerIndex + 4, length: Int(length) - 4) else {
            return nil
        }
        buffer.moveReaderIndex(forwardBy: Int(length))
        return try StartupPacket.decode(body: &body)
    }
}

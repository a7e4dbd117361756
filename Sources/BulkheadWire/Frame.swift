// A typed message kept as its original bytes, so a proxy can inspect it and forward it unchanged.
import NIOCore

/// One typed message exactly as it travels: type byte, Int32 length, body.
///
/// `raw` holds ALL bytes including the 5-byte header, as a zero-copy slice, so a proxy can forward it
/// without re-encoding.
public struct Frame: Sendable, Hashable {
    /// Size of the type byte plus the Int32 length.
    public static let headerLength = 5

    /// The complete message: type byte, length, body.
    public var raw: ByteBuffer

    /// The message type byte. Reads in place, so peeking never allocates.
    @inlinable
    public var type: UInt8 {
        self.raw.getInteger(at: self.raw.readerIndex, as: UInt8.self) ?? 0
    }

    /// The message contents after the 5-byte header, sharing storage with `raw`.
    @inlinable
    public var body: ByteBuffer {
        var body = self.raw
        // Moving the reader index of a copy only changes the copy's indices: no copy-on-write happens.
        body.moveReaderIndex(forwardBy: min(Self.headerLength, body.readableBytes))
        return body
    }

    /// Builds a frame by copying `body` behind a fresh header.
    public init(type: UInt8, body: ByteBuffer) {
        var raw = ByteBufferAllocator().buffer(capacity: Self.headerLength + body.readableBytes)
        raw.writeInteger(type)
        raw.writeInteger(wireLength(bodyLength: body.readableBytes))
        raw.writeImmutableBuffer(body)
        self.raw = raw
    }

    /// Wraps bytes that the caller guarantees are one complete frame (as produced by `FrameDecoder`).
    public init(uncheckedRaw: ByteBuffer) {
        self.raw = uncheckedRaw
    }
}

/// The value of a length field: the body plus the field itself.
///
/// Bodies come from decoded frames (bounded by the decoder's limit) or from the caller's own values; a body
/// that cannot be described by an Int32 is a programming error, not a peer's fault.
func wireLength(bodyLength: Int) -> Int32 {
    guard let length = Int32(exactly: bodyLength + 4) else {
        preconditionFailure("message body of \(bodyLength) bytes exceeds the protocol's Int32 length field")
    }
    return length
}

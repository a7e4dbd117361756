// Cuts a byte stream into runs of whole frames, so a proxy can inspect each frame and forward a run in one write.
import NIOCore

/// Accumulates what a server sends and hands back, per read, every frame completed so far as one buffer.
///
/// Unlike ``FrameDecoder`` it yields no value per frame: a read of many frames stays one buffer, to be walked
/// with ``Frame/next(in:)`` and forwarded as a whole. Lengths are checked as soon as a header arrives, with the
/// same rules as ``FrameDecoder``, so a peer cannot make the proxy buffer more than one frame's limit.
public struct FrameBatcher: Sendable {
    /// Largest accepted frame, type byte and length field included.
    public let maxMessageLength: Int
    /// The start of a frame whose end has not arrived yet.
    private var partial: ByteBuffer?

    /// Creates a batcher accepting frames of at most `maxMessageLength` bytes in total.
    public init(maxMessageLength: Int) {
        self.maxMessageLength = maxMessageLength
    }

    /// Bytes held back until their frame is complete.
    public var bufferedBytes: Int { partial?.readableBytes ?? 0 }

    /// Takes in `bytes` as read, and returns the frames now complete, in order and unchanged, or nil if none is.
    public mutating func append(_ bytes: ByteBuffer) throws(ProtocolViolation) -> ByteBuffer? {
        var combined: ByteBuffer
        if var earlier = partial {
            var bytes = bytes
            earlier.writeBuffer(&bytes)
            combined = earlier
        } else {
            combined = bytes
        }
        partial = nil
        let whole = try wholeFramesLength(in: combined)
        let frames = whole > 0 ? combined.readSlice(length: whole) : nil
        if combined.readableBytes > 0 { partial = combined }
        return frames
    }

    /// The length of the longest prefix made of whole frames, checking every header seen, even a partial frame's.
    private func wholeFramesLength(in buffer: ByteBuffer) throws(ProtocolViolation) -> Int {
        let start = buffer.readerIndex
        let end = buffer.writerIndex
        var offset = start
        while let length = buffer.getInteger(at: offset &+ 1, as: Int32.self) {
            guard length >= 4 else { throw ProtocolViolation("invalid message length \(length)") }
            let total = 1 + Int(length)
            guard total <= maxMessageLength else {
                throw ProtocolViolation("message length \(length) exceeds the limit of \(maxMessageLength) bytes")
            }
            guard total <= end - offset else { break }
            offset += total
        }
        return offset - start
    }
}

extension Frame {
    /// Reads the next frame from a buffer of whole frames (as ``FrameBatcher`` returns); nil at the end, or if
    /// what is left is not a whole frame.
    public static func next(in buffer: inout ByteBuffer) -> Frame? {
        guard let length = buffer.getInteger(at: buffer.readerIndex &+ 1, as: Int32.self), length >= 4,
              let raw = buffer.readSlice(length: 1 + Int(length)) else { return nil }
        return Frame(uncheckedRaw: raw)
    }
}

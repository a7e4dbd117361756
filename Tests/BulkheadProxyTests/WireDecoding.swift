// Splits captured bytes into protocol frames and messages, so tests assert on messages rather than offsets.

import BulkheadWire
import NIOCore

/// Frame splitting and message encoding shared by the fake client and the fake server.
enum WireDecoding {
    /// Every complete frame in `bytes`; leftover bytes are an error, since the proxy writes whole messages.
    static func frames(in bytes: ByteBuffer) throws -> [Frame] {
        var buffer = bytes
        var decoder = FrameDecoder(maxMessageLength: 1 << 24)
        var frames: [Frame] = []
        while let frame = try decoder.decode(buffer: &buffer) { frames.append(frame) }
        guard buffer.readableBytes == 0 else {
            throw TestFailure("\(buffer.readableBytes) bytes do not form a whole frame")
        }
        return frames
    }

    static func backendMessages(in bytes: ByteBuffer) throws -> [BackendMessage] {
        try frames(in: bytes).map { try BackendMessage.decode($0) }
    }

    static func frontendMessages(in bytes: ByteBuffer) throws -> [FrontendMessage] {
        try frames(in: bytes).map { try FrontendMessage.decode($0) }
    }

    /// Several messages encoded back to back, as one read from a socket.
    static func encode(_ messages: [BackendMessage]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for message in messages { message.encode(into: &buffer) }
        return buffer
    }

    static func encode(_ messages: [FrontendMessage]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for message in messages { message.encode(into: &buffer) }
        return buffer
    }
}

extension Array where Element == BackendMessage {
    /// The fields of every ErrorResponse, in order.
    var errors: [ErrorFields] {
        compactMap { message in
            if case .errorResponse(let fields) = message { return fields }
            return nil
        }
    }

    /// The (process ID, secret) of the first BackendKeyData.
    var backendKey: CancelKey? {
        for case .backendKeyData(let processID, let secretKey) in self {
            return CancelKey(processID: processID, secretKey: secretKey)
        }
        return nil
    }
}

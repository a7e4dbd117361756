// Serialises frontend messages into complete frames.
import NIOCore

extension FrontendMessage {
    /// The frame type byte this message travels with.
    public var type: UInt8 {
        switch self {
        case .query: MessageType.Frontend.query
        case .parse: MessageType.Frontend.parse
        case .bind: MessageType.Frontend.bind
        case .describe: MessageType.Frontend.describe
        case .execute: MessageType.Frontend.execute
        case .close: MessageType.Frontend.close
        case .sync: MessageType.Frontend.sync
        case .flush: MessageType.Frontend.flush
        case .terminate: MessageType.Frontend.terminate
        case .functionCall: MessageType.Frontend.functionCall
        case .copyData: MessageType.Frontend.copyData
        case .copyDone: MessageType.Frontend.copyDone
        case .copyFail: MessageType.Frontend.copyFail
        case .password, .saslInitialResponse, .saslResponse: MessageType.Frontend.authenticationResponse
        }
    }

    /// Writes the full frame, header included.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeWireFrame(type: self.type) { body in
            switch self {
            case .query(let text), .copyFail(let text), .password(let text):
                body.writeWireCString(text)
            case .parse(let parse):
                parse.encodeBody(into: &body)
            case .bind(let bind):
                bind.encodeBody(into: &body)
            case .describe(let describe):
                describe.target.encodeBody(into: &body)
            case .execute(let execute):
                execute.encodeBody(into: &body)
            case .close(let close):
                close.target.encodeBody(into: &body)
            case .sync, .flush, .terminate, .copyDone:
                break
            case .functionCall(let call):
                call.encodeBody(into: &body)
            case .copyData(let data), .saslResponse(let data):
                body.writeImmutableBuffer(data)
            case .saslInitialResponse(let response):
                response.encodeBody(into: &body)
            }
        }
    }

    /// The message as a standalone frame.
    public var frame: Frame {
        var raw = ByteBufferAllocator().buffer(capacity: 64)
        self.encode(into: &raw)
        return Frame(uncheckedRaw: raw)
    }
}

// Typed view of the messages a client sends after startup, and their decoding from frames.
import NIOCore

/// A message sent by the client after the StartupMessage.
public enum FrontendMessage: Sendable, Hashable {
    case query(String)
    case parse(Parse)
    case bind(Bind)
    case describe(Describe)
    case execute(Execute)
    case close(Close)
    case sync
    case flush
    case terminate
    case functionCall(FunctionCall)
    case copyData(ByteBuffer)
    case copyDone
    case copyFail(String)
    /// 'p' as PasswordMessage (cleartext or "md5...").
    case password(String)
    /// 'p' as SASLInitialResponse.
    case saslInitialResponse(SASLInitialResponse)
    /// 'p' as SASLResponse.
    case saslResponse(ByteBuffer)

    /// Decodes any frontend frame except 'p', which is ambiguous: pass `authentication` to say what a 'p'
    /// frame is. A 'p' without it, unknown types, trailing bytes, missing NULs, negative lengths and counts
    /// that exceed the body throw ProtocolViolation. Byte payloads are zero-copy slices of the frame.
    public static func decode(
        _ frame: Frame,
        authentication: AuthenticationResponseKind? = nil
    ) throws(ProtocolViolation) -> FrontendMessage {
        var body = frame.body
        let message: FrontendMessage
        switch frame.type {
        case MessageType.Frontend.query:
            message = .query(try body.readWireCString("Query"))
        case MessageType.Frontend.parse:
            message = .parse(try Parse.decode(body: &body))
        case MessageType.Frontend.bind:
            message = .bind(try Bind.decode(body: &body))
        case MessageType.Frontend.describe:
            message = .describe(Describe(target: try DescribeTarget.decode(body: &body, "Describe")))
        case MessageType.Frontend.execute:
            message = .execute(try Execute.decode(body: &body))
        case MessageType.Frontend.close:
            message = .close(Close(target: try DescribeTarget.decode(body: &body, "Close")))
        case MessageType.Frontend.sync:
            message = .sync
        case MessageType.Frontend.flush:
            message = .flush
        case MessageType.Frontend.terminate:
            message = .terminate
        case MessageType.Frontend.functionCall:
            message = .functionCall(try FunctionCall.decode(body: &body))
        case MessageType.Frontend.copyData:
            message = .copyData(body.readWireRemainder())
        case MessageType.Frontend.copyDone:
            message = .copyDone
        case MessageType.Frontend.copyFail:
            message = .copyFail(try body.readWireCString("CopyFail"))
        case MessageType.Frontend.authenticationResponse:
            message = try Self.decodeAuthenticationResponse(body: &body, kind: authentication)
        default:
            throw ProtocolViolation("invalid frontend message type \(frame.type)")
        }
        try body.requireWireEnd("frontend message")
        return message
    }

    private static func decodeAuthenticationResponse(
        body: inout ByteBuffer,
        kind: AuthenticationResponseKind?
    ) throws(ProtocolViolation) -> FrontendMessage {
        switch kind {
        case .password:
            return .password(try body.readWireCString("PasswordMessage"))
        case .saslInitial:
            return .saslInitialResponse(try SASLInitialResponse.decode(body: &body))
        case .saslContinue:
            return .saslResponse(body.readWireRemainder())
        case nil:
            throw ProtocolViolation("unexpected authentication response message")
        }
    }
}

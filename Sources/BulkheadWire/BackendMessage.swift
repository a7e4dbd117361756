// Typed view of the messages a server sends, and their decoding from frames.
import NIOCore

/// A message sent by the server.
public enum BackendMessage: Sendable, Hashable {
    case authentication(Authentication)
    case parameterStatus(name: String, value: String)
    case backendKeyData(processID: Int32, secretKey: Int32)
    case readyForQuery(TransactionStatus)
    case rowDescription([FieldDescription])
    /// Column values; nil is SQL NULL. Decoded values share storage with the frame.
    case dataRow([ByteBuffer?])
    case commandComplete(String)
    case emptyQueryResponse
    case errorResponse(ErrorFields)
    case noticeResponse(ErrorFields)
    case parseComplete
    case bindComplete
    case closeComplete
    case noData
    case portalSuspended
    case parameterDescription([UInt32])
    case copyInResponse(CopyResponse)
    case copyOutResponse(CopyResponse)
    case copyBothResponse(CopyResponse)
    /// COPY OUT / COPY BOTH payload from the server.
    case copyData(ByteBuffer)
    /// End of COPY OUT / COPY BOTH data from the server.
    case copyDone
    case notificationResponse(processID: Int32, channel: String, payload: String)
    /// The function's result; nil is SQL NULL.
    case functionCallResponse(ByteBuffer?)
    /// `newestMinor` is carried as-is. PostgreSQL actually puts its newest full version there,
    /// `(major << 16) | minor` (196608 for 3.0), and libpq reads it that way, so send that.
    case negotiateProtocolVersion(newestMinor: Int32, unrecognizedOptions: [String])

    /// Decodes a backend frame. Unknown types, trailing bytes, missing NULs, negative lengths, counts that
    /// exceed the body, unknown authentication codes and transaction states throw ProtocolViolation.
    /// Byte payloads are zero-copy slices of the frame.
    public static func decode(_ frame: Frame) throws(ProtocolViolation) -> BackendMessage {
        var body = frame.body
        let message: BackendMessage
        switch frame.type {
        case MessageType.Backend.authentication:
            message = .authentication(try Authentication.decode(body: &body))
        case MessageType.Backend.parameterStatus:
            let name = try body.readWireCString("ParameterStatus name")
            message = .parameterStatus(name: name, value: try body.readWireCString("ParameterStatus value"))
        case MessageType.Backend.backendKeyData:
            let processID = try body.readWireInteger(as: Int32.self, "BackendKeyData process ID")
            let secretKey = try body.readWireInteger(as: Int32.self, "BackendKeyData secret key")
            message = .backendKeyData(processID: processID, secretKey: secretKey)
        case MessageType.Backend.readyForQuery:
            let byte = try body.readWireInteger(as: UInt8.self, "ReadyForQuery status")
            guard let status = TransactionStatus(rawValue: byte) else {
                throw ProtocolViolation("invalid transaction status \(byte) in ReadyForQuery")
            }
            message = .readyForQuery(status)
        case MessageType.Backend.rowDescription:
            message = .rowDescription(try Self.decodeFields(body: &body))
        case MessageType.Backend.dataRow:
            let count = try body.readWireCount(minimumElementSize: 4, "DataRow column count")
            message = .dataRow(try body.readWireNullableValues(count: count, "DataRow column value"))
        case MessageType.Backend.commandComplete:
            message = .commandComplete(try body.readWireCString("CommandComplete tag"))
        case MessageType.Backend.emptyQueryResponse:
            message = .emptyQueryResponse
        case MessageType.Backend.errorResponse:
            message = .errorResponse(try ErrorFields.decode(body: &body))
        case MessageType.Backend.noticeResponse:
            message = .noticeResponse(try ErrorFields.decode(body: &body))
        case MessageType.Backend.parseComplete:
            message = .parseComplete
        case MessageType.Backend.bindComplete:
            message = .bindComplete
        case MessageType.Backend.closeComplete:
            message = .closeComplete
        case MessageType.Backend.noData:
            message = .noData
        case MessageType.Backend.portalSuspended:
            message = .portalSuspended
        case MessageType.Backend.parameterDescription:
            message = .parameterDescription(try body.readWireIntegerArray(of: UInt32.self, "ParameterDescription count"))
        case MessageType.Backend.copyInResponse:
            message = .copyInResponse(try CopyResponse.decode(body: &body))
        case MessageType.Backend.copyOutResponse:
            message = .copyOutResponse(try CopyResponse.decode(body: &body))
        case MessageType.Backend.copyBothResponse:
            message = .copyBothResponse(try CopyResponse.decode(body: &body))
        case MessageType.Backend.copyData:
            message = .copyData(body.readWireRemainder())
        case MessageType.Backend.copyDone:
            message = .copyDone
        case MessageType.Backend.notificationResponse:
            let processID = try body.readWireInteger(as: Int32.self, "NotificationResponse process ID")
            let channel = try body.readWireCString("NotificationResponse channel")
            let payload = try body.readWireCString("NotificationResponse payload")
            message = .notificationResponse(processID: processID, channel: channel, payload: payload)
        case MessageType.Backend.functionCallResponse:
            message = .functionCallResponse(try body.readWireNullableBytes("FunctionCallResponse value"))
        case MessageType.Backend.negotiateProtocolVersion:
            message = try Self.decodeNegotiateProtocolVersion(body: &body)
        default:
            throw ProtocolViolation("invalid backend message type \(frame.type)")
        }
        try body.requireWireEnd("backend message")
        return message
    }

    private static func decodeFields(body: inout ByteBuffer) throws(ProtocolViolation) -> [FieldDescription] {
        let count = try body.readWireCount(
            minimumElementSize: FieldDescription.minimumLength,
            "RowDescription field count"
        )
        var fields: [FieldDescription] = []
        fields.reserveCapacity(count)
        for _ in 0..<count {
            fields.append(try FieldDescription.decode(body: &body))
        }
        return fields
    }

    private static func decodeNegotiateProtocolVersion(
        body: inout ByteBuffer
    ) throws(ProtocolViolation) -> BackendMessage {
        let newest = try body.readWireInteger(as: Int32.self, "NegotiateProtocolVersion version")
        let count = try body.readWireInteger(as: Int32.self, "NegotiateProtocolVersion option count")
        // Each option is at least its NUL, which bounds the count before we reserve anything.
        guard count >= 0, Int(count) <= body.readableBytes else {
            throw ProtocolViolation("invalid NegotiateProtocolVersion option count \(count)")
        }
        var options: [String] = []
        options.reserveCapacity(Int(count))
        for _ in 0..<count {
            options.append(try body.readWireCString("NegotiateProtocolVersion option"))
        }
        return .negotiateProtocolVersion(newestMinor: newest, unrecognizedOptions: options)
    }
}

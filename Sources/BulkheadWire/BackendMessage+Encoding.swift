// Serialises backend messages into complete frames, plus the ErrorResponse convenience a proxy uses most.
import NIOCore

extension BackendMessage {
    /// The frame type byte this message travels with.
    public var type: UInt8 {
        switch self {
        case .authentication: MessageType.Backend.authentication
        case .parameterStatus: MessageType.Backend.parameterStatus
        case .backendKeyData: MessageType.Backend.backendKeyData
        case .readyForQuery: MessageType.Backend.readyForQuery
        case .rowDescription: MessageType.Backend.rowDescription
        case .dataRow: MessageType.Backend.dataRow
        case .commandComplete: MessageType.Backend.commandComplete
        case .emptyQueryResponse: MessageType.Backend.emptyQueryResponse
        case .errorResponse: MessageType.Backend.errorResponse
        case .noticeResponse: MessageType.Backend.noticeResponse
        case .parseComplete: MessageType.Backend.parseComplete
        case .bindComplete: MessageType.Backend.bindComplete
        case .closeComplete: MessageType.Backend.closeComplete
        case .noData: MessageType.Backend.noData
        case .portalSuspended: MessageType.Backend.portalSuspended
        case .parameterDescription: MessageType.Backend.parameterDescription
        case .copyInResponse: MessageType.Backend.copyInResponse
        case .copyOutResponse: MessageType.Backend.copyOutResponse
        case .copyBothResponse: MessageType.Backend.copyBothResponse
        case .copyData: MessageType.Backend.copyData
        case .copyDone: MessageType.Backend.copyDone
        case .notificationResponse: MessageType.Backend.notificationResponse
        case .functionCallResponse: MessageType.Backend.functionCallResponse
        case .negotiateProtocolVersion: MessageType.Backend.negotiateProtocolVersion
        }
    }

    /// Writes the full frame, header included.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeWireFrame(type: self.type) { body in
            switch self {
            case .authentication(let authentication):
                authentication.encodeBody(into: &body)
            case .parameterStatus(let name, let value):
                body.writeWireCString(name)
                body.writeWireCString(value)
            case .backendKeyData(let processID, let secretKey):
                body.writeInteger(processID)
                body.writeInteger(secretKey)
            case .readyForQuery(let status):
                body.writeInteger(status.rawValue)
            case .rowDescription(let fields):
                body.writeWireCount(fields.count)
                for field in fields {
                    field.encode(into: &body)
                }
            case .dataRow(let values):
                body.writeWireNullableValues(values)
            case .commandComplete(let tag):
                body.writeWireCString(tag)
            case .errorResponse(let fields), .noticeResponse(let fields):
                fields.encodeBody(into: &body)
            case .emptyQueryResponse, .parseComplete, .bindComplete, .closeComplete, .noData, .portalSuspended,
                .copyDone:
                break
            case .parameterDescription(let oids):
                body.writeWireIntegerArray(oids)
            case .copyInResponse(let response), .copyOutResponse(let response), .copyBothResponse(let response):
                response.encodeBody(into: &body)
            case .copyData(let data):
                body.writeImmutableBuffer(data)
            case .notificationResponse(let processID, let channel, let payload):
                body.writeInteger(processID)
                body.writeWireCString(channel)
                body.writeWireCString(payload)
            case .functionCallResponse(let value):
                body.writeWireNullableBytes(value)
            case .negotiateProtocolVersion(let newest, let options):
                body.writeInteger(newest)
                body.writeInteger(Int32(truncatingIfNeeded: options.count))
                for option in options {
                    body.writeWireCString(option)
                }
            }
        }
    }

    /// The message as a standalone frame.
    public var frame: Frame {
        var raw = ByteBufferAllocator().buffer(capacity: 64)
        self.encode(into: &raw)
        return Frame(uncheckedRaw: raw)
    }

    /// Convenience: an ErrorResponse with severity (S and V fields), code (C), message (M), and optional
    /// detail (D), hint (H) and position (P), in the order PostgreSQL sends them.
    public static func error(
        _ sqlState: String,
        _ message: String,
        severity: String = "ERROR",
        detail: String? = nil,
        hint: String? = nil,
        position: Int? = nil
    ) -> BackendMessage {
        var fields = [
            ErrorField("S", severity),
            ErrorField("V", severity),
            ErrorField("C", sqlState),
            ErrorField("M", message),
        ]
        if let detail { fields.append(ErrorField("D", detail)) }
        if let hint { fields.append(ErrorField("H", hint)) }
        if let position { fields.append(ErrorField("P", String(position))) }
        return .errorResponse(ErrorFields(fields: fields))
    }
}

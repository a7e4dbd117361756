// The field list shared by ErrorResponse and NoticeResponse, with accessors for the common fields.
import NIOCore

/// The fields of an ErrorResponse or NoticeResponse, in wire order.
public struct ErrorFields: Sendable, Hashable {
    /// All fields as sent; unknown codes are kept so forwarding loses nothing.
    public var fields: [ErrorField]

    /// Creates a field list.
    public init(fields: [ErrorField]) {
        self.fields = fields
    }

    /// The first field with the given code.
    public subscript(code: UInt8) -> String? {
        self.fields.first(where: { $0.code == code })?.value
    }

    /// 'S': severity, possibly localized.
    public var severity: String? { self[UInt8(ascii: "S")] }
    /// 'V': severity, never localized.
    public var severityNonLocalized: String? { self[UInt8(ascii: "V")] }
    /// 'C': SQLSTATE code.
    public var sqlState: String? { self[UInt8(ascii: "C")] }
    /// 'M': primary message.
    public var message: String? { self[UInt8(ascii: "M")] }
    /// 'D': detail.
    public var detail: String? { self[UInt8(ascii: "D")] }
    /// 'H': hint.
    public var hint: String? { self[UInt8(ascii: "H")] }
    /// 'P': 1-based character position in the query, when present and numeric.
    public var position: Int? { self[UInt8(ascii: "P")].flatMap { Int($0) } }

    static func decode(body: inout ByteBuffer) throws(ProtocolViolation) -> ErrorFields {
        var fields: [ErrorField] = []
        while true {
            let code = try body.readWireInteger(as: UInt8.self, "error field terminator")
            if code == 0 {
                return ErrorFields(fields: fields)
            }
            fields.append(ErrorField(code: code, value: try body.readWireCString("error field value")))
        }
    }

    func encodeBody(into buffer: inout ByteBuffer) {
        for field in self.fields {
            buffer.writeInteger(field.code)
            buffer.writeWireCString(field.value)
        }
        buffer.writeInteger(UInt8(0))
    }
}

// The legacy fast-path FunctionCall message.
import NIOCore

/// FunctionCall ('F'): calls a function by OID outside of SQL.
public struct FunctionCall: Sendable, Hashable {
    /// OID of the function.
    public var functionOID: UInt32
    /// Argument format codes: none, one for all, or one per argument.
    public var argumentFormats: [Int16]
    /// Argument values; nil is SQL NULL.
    public var arguments: [ByteBuffer?]
    /// Format code of the result.
    public var resultFormat: Int16

    /// Creates a FunctionCall message.
    public init(functionOID: UInt32, argumentFormats: [Int16], arguments: [ByteBuffer?], resultFormat: Int16) {
        self.functionOID = functionOID
        self.argumentFormats = argumentFormats
        self.arguments = arguments
        self.resultFormat = resultFormat
    }

    static func decode(body: inout ByteBuffer) throws(ProtocolViolation) -> FunctionCall {
        let oid = try body.readWireInteger(as: UInt32.self, "FunctionCall function OID")
        let formats = try body.readWireIntegerArray(of: Int16.self, "FunctionCall argument format count")
        let count = try body.readWireCount(minimumElementSize: 4, "FunctionCall argument count")
        let arguments = try body.readWireNullableValues(count: count, "FunctionCall argument")
        let resultFormat = try body.readWireInteger(as: Int16.self, "FunctionCall result format")
        return FunctionCall(functionOID: oid, argumentFormats: formats, arguments: arguments, resultFormat: resultFormat)
    }

    func encodeBody(into buffer: inout ByteBuffer) {
        buffer.writeInteger(self.functionOID)
        buffer.writeWireIntegerArray(self.argumentFormats)
        buffer.writeWireNullableValues(self.arguments)
        buffer.writeInteger(self.resultFormat)
    }
}

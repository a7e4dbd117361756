// The extended-query Bind message: turn a prepared statement plus values into a portal.
import NIOCore

/// Bind ('B'): binds parameter values to a prepared statement, creating a portal.
///
/// Only the layout is checked here. Semantic mismatches (e.g. format-code counts that are neither 0, 1 nor
/// the parameter count) are left to the server, which reports them as ordinary, recoverable errors.
public struct Bind: Sendable, Hashable {
    /// Destination portal; empty for the unnamed portal.
    public var portal: String
    /// Source prepared statement; empty for the unnamed statement.
    public var statement: String
    /// Parameter format codes (0 text, 1 binary): none, one for all, or one per parameter.
    public var parameterFormats: [Int16]
    /// Parameter values; nil is SQL NULL. Decoded values share storage with the frame.
    public var parameters: [ByteBuffer?]
    /// Result column format codes: none, one for all, or one per column.
    public var resultFormats: [Int16]

    /// Creates a Bind message.
    public init(
        portal: String,
        statement: String,
        parameterFormats: [Int16],
        parameters: [ByteBuffer?],
        resultFormats: [Int16]
    ) {
        self.portal = portal
        self.statement = statement
        self.parameterFormats = parameterFormats
        self.parameters = parameters
        self.resultFormats = resultFormats
    }

    static func decode(body: inout ByteBuffer) throws(ProtocolViolation) -> Bind {
        let portal = try body.readWireCString("Bind portal name")
        let statement = try body.readWireCString("Bind statement name")
        let parameterFormats = try body.readWireIntegerArray(of: Int16.self, "Bind parameter format count")
        let count = try body.readWireCount(minimumElementSize: 4, "Bind parameter count")
        let parameters = try body.readWireNullableValues(count: count, "Bind parameter value")
        let resultFormats = try body.readWireIntegerArray(of: Int16.self, "Bind result format count")
        return Bind(
            portal: portal,
            statement: statement,
            parameterFormats: parameterFormats,
            parameters: parameters,
            resultFormats: resultFormats
        )
    }

    func encodeBody(into buffer: inout ByteBuffer) {
        buffer.writeWireCString(self.portal)
        buffer.writeWireCString(self.statement)
        buffer.writeWireIntegerArray(self.parameterFormats)
        buffer.writeWireNullableValues(self.parameters)
        buffer.writeWireIntegerArray(self.resultFormats)
    }
}

// The extended-query Parse message: prepare a statement.
import NIOCore

/// Parse ('P'): creates a prepared statement from SQL text.
public struct Parse: Sendable, Hashable {
    /// Statement name; empty for the unnamed statement.
    public var name: String
    /// The SQL text.
    public var query: String
    /// Parameter type OIDs the client pins; 0 leaves a type to the server.
    public var parameterTypes: [UInt32]

    /// Creates a Parse message.
    public init(name: String, query: String, parameterTypes: [UInt32]) {
        self.name = name
        self.query = query
        self.parameterTypes = parameterTypes
    }

    static func decode(body: inout ByteBuffer) throws(ProtocolViolation) -> Parse {
        let name = try body.readWireCString("Parse statement name")
        let query = try body.readWireCString("Parse query")
        let types = try body.readWireIntegerArray(of: UInt32.self, "Parse parameter type count")
        return Parse(name: name, query: query, parameterTypes: types)
    }

    func encodeBody(into buffer: inout ByteBuffer) {
        buffer.writeWireCString(self.name)
        buffer.writeWireCString(self.query)
        buffer.writeWireIntegerArray(self.parameterTypes)
    }
}

// The extended-query Execute message.
import NIOCore

/// Execute ('E'): runs a portal.
public struct Execute: Sendable, Hashable {
    /// Portal name; empty for the unnamed portal.
    public var portal: String
    /// Row limit; 0 means no limit.
    public var maxRows: Int32

    /// Creates an Execute message.
    public init(portal: String, maxRows: Int32) {
        self.portal = portal
        self.maxRows = maxRows
    }

    static func decode(body: inout ByteBuffer) throws(ProtocolViolation) -> Execute {
        let portal = try body.readWireCString("Execute portal name")
        let maxRows = try body.readWireInteger(as: Int32.self, "Execute row limit")
        return Execute(portal: portal, maxRows: maxRows)
    }

    func encodeBody(into buffer: inout ByteBuffer) {
        buffer.writeWireCString(self.portal)
        buffer.writeInteger(self.maxRows)
    }
}

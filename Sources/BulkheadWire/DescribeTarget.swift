// The object a Describe or Close message refers to: a prepared statement or a portal.
import NIOCore

/// A prepared statement ('S') or portal ('P'), by name.
public enum DescribeTarget: Sendable, Hashable {
    case statement(String)
    case portal(String)

    static let statementByte: UInt8 = 0x53  // 'S'
    static let portalByte: UInt8 = 0x50  // 'P'

    static func decode(body: inout ByteBuffer, _ message: StaticString) throws(ProtocolViolation) -> DescribeTarget {
        let kind = try body.readWireInteger(as: UInt8.self, message)
        let name = try body.readWireCString(message)
        switch kind {
        case Self.statementByte: return .statement(name)
        case Self.portalByte: return .portal(name)
        default: throw ProtocolViolation("invalid \(message) target \(kind)")
        }
    }

    func encodeBody(into buffer: inout ByteBuffer) {
        switch self {
        case .statement(let name):
            buffer.writeInteger(Self.statementByte)
            buffer.writeWireCString(name)
        case .portal(let name):
            buffer.writeInteger(Self.portalByte)
            buffer.writeWireCString(name)
        }
    }
}

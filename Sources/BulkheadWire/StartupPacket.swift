// The four untyped packets a client may open a connection with, told apart by their request code.
import NIOCore

/// One untyped packet sent before the session starts.
public enum StartupPacket: Sendable, Hashable {
    case startup(StartupMessage)
    case sslRequest
    case gssEncRequest
    case cancel(CancelRequest)

    /// Smallest valid packet: the length word plus a request code or protocol version.
    public static let minimumLength = 8

    /// Writes the whole packet, length word included.
    public func encode(into buffer: inout ByteBuffer) {
        switch self {
        case .startup(let message): message.encode(into: &buffer)
        case .sslRequest: SSLRequest.encode(into: &buffer)
        case .gssEncRequest: GSSENCRequest.encode(into: &buffer)
        case .cancel(let request): request.encode(into: &buffer)
        }
    }

    /// Parses one complete packet, length word included; the length word must match the bytes given.
    public static func decode(_ packet: ByteBuffer) throws(ProtocolViolation) -> StartupPacket {
        var packet = packet
        let length = try packet.readWireInteger(as: Int32.self, "startup packet length")
        guard length >= Self.minimumLength, Int(length) - 4 == packet.readableBytes else {
            throw ProtocolViolation("invalid length of startup packet")
        }
        return try self.decode(body: &packet)
    }

    /// Parses what follows the length word.
    static func decode(body: inout ByteBuffer) throws(ProtocolViolation) -> StartupPacket {
        let code = try body.readWireInteger(as: UInt32.self, "startup packet request code")
        switch code {
        case SSLRequest.requestCode:
            try body.requireWireEnd("SSLRequest")
            return .sslRequest
        case GSSENCRequest.requestCode:
            try body.requireWireEnd("GSSENCRequest")
            return .gssEncRequest
        case CancelRequest.requestCode:
            return .cancel(try CancelRequest.decode(body: &body))
        case _ where code >> 16 == 1234:
            // 1234.x is PostgreSQL's reserved space for special requests, never a protocol version.
            throw ProtocolViolation("unrecognized startup request code \(code)")
        default:
            return .startup(try StartupMessage.decode(version: code, body: &body))
        }
    }
}

// The client's opening message: protocol version plus connection parameters.
import NIOCore

/// The untyped StartupMessage a client sends to open a session.
public struct StartupMessage: Sendable, Hashable {
    /// Protocol 3.0, as `(major << 16) | minor`.
    public static let protocolVersion30: UInt32 = 196_608

    /// The requested protocol version as `(major << 16) | minor`.
    public var protocolVersion: UInt32
    /// Parameters in the order the client sent them, `_pq_.` options included.
    public var parameters: [StartupParameter]

    /// Creates a startup message.
    public init(protocolVersion: UInt32 = 196_608, parameters: [StartupParameter]) {
        self.protocolVersion = protocolVersion
        self.parameters = parameters
    }

    /// Major protocol version (3 for every accepted message).
    public var majorVersion: UInt16 { UInt16(truncatingIfNeeded: self.protocolVersion >> 16) }
    /// Minor protocol version; above 0 the caller should answer with NegotiateProtocolVersion.
    public var minorVersion: UInt16 { UInt16(truncatingIfNeeded: self.protocolVersion) }

    /// The value of a parameter. When a name repeats, the last one wins, as in PostgreSQL.
    public subscript(name: String) -> String? {
        self.parameters.last(where: { $0.name == name })?.value
    }

    /// The role name, if the client sent one.
    public var user: String? { self["user"] }

    /// The database; PostgreSQL defaults it to the user name when absent.
    public var database: String? { self["database"] ?? self.user }

    /// Protocol options (`_pq_.` prefix) the client asked for, which the caller must report as unrecognized.
    public var protocolOptions: [StartupParameter] {
        self.parameters.filter { $0.name.hasPrefix("_pq_.") }
    }

    /// Writes the whole packet, length word included.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeWireLengthPrefixed { body in
            body.writeInteger(self.protocolVersion)
            for parameter in self.parameters {
                body.writeWireCString(parameter.name)
                body.writeWireCString(parameter.value)
            }
            body.writeInteger(UInt8(0))
        }
    }

    /// Parses what follows the version word; `body` must hold exactly the rest of the packet.
    static func decode(version: UInt32, body: inout ByteBuffer) throws(ProtocolViolation) -> StartupMessage {
        let major = version >> 16
        let minor = version & 0xFFFF
        guard major == 3 else {
            throw ProtocolViolation("unsupported frontend protocol \(major).\(minor): server supports 3.0 to 3.0")
        }
        var parameters: [StartupParameter] = []
        while true {
            let name = try body.readWireCString("startup parameter name")
            if name.isEmpty {
                break
            }
            let value = try body.readWireCString("startup parameter value")
            parameters.append(StartupParameter(name: name, value: value))
        }
        // PostgreSQL insists the terminating NUL is the packet's last byte.
        try body.requireWireEnd("startup packet after the parameter terminator")
        return StartupMessage(protocolVersion: version, parameters: parameters)
    }
}

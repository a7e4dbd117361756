// The server's authentication requests ('R'), distinguished by an Int32 code.
import NIOCore

/// An authentication request or result from the server.
public enum Authentication: Sendable, Hashable {
    case ok
    case kerberosV5
    case cleartextPassword
    /// The salt is always 4 bytes on the wire; encoding pads or truncates other lengths to 4.
    case md5Password(salt: [UInt8])
    case gss
    case gssContinue(ByteBuffer)
    case sspi
    /// Mechanisms offered, in server preference order.
    case sasl(mechanisms: [String])
    case saslContinue(ByteBuffer)
    case saslFinal(ByteBuffer)

    /// The Int32 codes that follow the 'R' header.
    enum Code {
        static let ok: Int32 = 0
        static let kerberosV5: Int32 = 2
        static let cleartextPassword: Int32 = 3
        static let md5Password: Int32 = 5
        static let gss: Int32 = 7
        static let gssContinue: Int32 = 8
        static let sspi: Int32 = 9
        static let sasl: Int32 = 10
        static let saslContinue: Int32 = 11
        static let saslFinal: Int32 = 12
    }

    static let md5SaltLength = 4

    var code: Int32 {
        switch self {
        case .ok: Code.ok
        case .kerberosV5: Code.kerberosV5
        case .cleartextPassword: Code.cleartextPassword
        case .md5Password: Code.md5Password
        case .gss: Code.gss
        case .gssContinue: Code.gssContinue
        case .sspi: Code.sspi
        case .sasl: Code.sasl
        case .saslContinue: Code.saslContinue
        case .saslFinal: Code.saslFinal
        }
    }

    /// Parses the body of an 'R' frame; the caller checks that nothing trails.
    static func decode(body: inout ByteBuffer) throws(ProtocolViolation) -> Authentication {
        let code = try body.readWireInteger(as: Int32.self, "authentication request code")
        switch code {
        case Code.ok: return .ok
        case Code.kerberosV5: return .kerberosV5
        case Code.cleartextPassword: return .cleartextPassword
        case Code.md5Password:
            guard let salt = body.readBytes(length: Self.md5SaltLength) else {
                throw ProtocolViolation("truncated AuthenticationMD5Password salt")
            }
            return .md5Password(salt: salt)
        case Code.gss: return .gss
        case Code.gssContinue: return .gssContinue(body.readWireRemainder())
        case Code.sspi: return .sspi
        case Code.sasl:
            var mechanisms: [String] = []
            while true {
                let mechanism = try body.readWireCString("AuthenticationSASL mechanism")
                if mechanism.isEmpty {
                    return .sasl(mechanisms: mechanisms)
                }
                mechanisms.append(mechanism)
            }
        case Code.saslContinue: return .saslContinue(body.readWireRemainder())
        case Code.saslFinal: return .saslFinal(body.readWireRemainder())
        default:
            throw ProtocolViolation("unsupported authentication request code \(code)")
        }
    }

    func encodeBody(into buffer: inout ByteBuffer) {
        buffer.writeInteger(self.code)
        switch self {
        case .ok, .kerberosV5, .cleartextPassword, .gss, .sspi:
            break
        case .md5Password(let salt):
            let padded = salt.prefix(Self.md5SaltLength) + repeatElement(0, count: max(0, Self.md5SaltLength - salt.count))
            buffer.writeBytes(padded)
        case .gssContinue(let data), .saslContinue(let data), .saslFinal(let data):
            buffer.writeImmutableBuffer(data)
        case .sasl(let mechanisms):
            for mechanism in mechanisms {
                buffer.writeWireCString(mechanism)
            }
            buffer.writeInteger(UInt8(0))
        }
    }
}

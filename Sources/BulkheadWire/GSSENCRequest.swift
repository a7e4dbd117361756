// The untyped 8-byte packet that asks to upgrade the connection to GSSAPI encryption.
import NIOCore

/// The GSSENCRequest packet: length 8, code 80877104.
public enum GSSENCRequest {
    /// 1234 << 16 | 5680.
    public static let requestCode: UInt32 = 80_877_104

    /// Writes the 8-byte packet.
    public static func encode(into buffer: inout ByteBuffer) {
        buffer.writeWireLengthPrefixed { $0.writeInteger(Self.requestCode) }
    }
}

// The untyped 8-byte packet that asks to upgrade the connection to TLS.
import NIOCore

/// The SSLRequest packet: length 8, code 80877103. The server answers with one byte, 'S' or 'N'.
public enum SSLRequest {
    /// 1234 << 16 | 5679.
    public static let requestCode: UInt32 = 80_877_103

    /// Writes the 8-byte packet.
    public static func encode(into buffer: inout ByteBuffer) {
        buffer.writeWireLengthPrefixed { $0.writeInteger(Self.requestCode) }
    }
}

// The untyped packet a client sends on a fresh connection to cancel a running query.
import NIOCore

/// A CancelRequest naming the backend (by the BackendKeyData it was given) whose query should stop.
public struct CancelRequest: Sendable, Hashable {
    /// The request code PostgreSQL reserves for cancellation: 1234 << 16 | 5678.
    public static let requestCode: UInt32 = 80_877_102

    /// Process ID from BackendKeyData.
    public var processID: Int32
    /// Secret key from BackendKeyData.
    public var secretKey: Int32

    /// Creates a cancel request.
    public init(processID: Int32, secretKey: Int32) {
        self.processID = processID
        self.secretKey = secretKey
    }

    /// Writes the 16-byte packet.
    public func encode(into buffer: inout ByteBuffer) {
        buffer.writeWireLengthPrefixed { body in
            body.writeInteger(Self.requestCode)
            body.writeInteger(self.processID)
            body.writeInteger(self.secretKey)
        }
    }

    /// Parses what follows the request code; protocol 3.0 keys are exactly two Int32s.
    static func decode(body: inout ByteBuffer) throws(ProtocolViolation) -> CancelRequest {
        let processID = try body.readWireInteger(as: Int32.self, "CancelRequest process ID")
        let secretKey = try body.readWireInteger(as: Int32.self, "CancelRequest secret key")
        try body.requireWireEnd("CancelRequest")
        return CancelRequest(processID: processID, secretKey: secretKey)
    }
}

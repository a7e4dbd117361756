// The first client message of a SASL exchange.
import NIOCore

/// SASLInitialResponse ('p'): the chosen mechanism and its optional initial data.
public struct SASLInitialResponse: Sendable, Hashable {
    /// Mechanism name, e.g. "SCRAM-SHA-256".
    public var mechanism: String
    /// Initial client response; nil is sent as length -1.
    public var data: ByteBuffer?

    /// Creates a SASLInitialResponse.
    public init(mechanism: String, data: ByteBuffer?) {
        self.mechanism = mechanism
        self.data = data
    }

    static func decode(body: inout ByteBuffer) throws(ProtocolViolation) -> SASLInitialResponse {
        let mechanism = try body.readWireCString("SASLInitialResponse mechanism")
        let data = try body.readWireNullableBytes("SASLInitialResponse data")
        return SASLInitialResponse(mechanism: mechanism, data: data)
    }

    func encodeBody(into buffer: inout ByteBuffer) {
        buffer.writeWireCString(self.mechanism)
        buffer.writeWireNullableBytes(self.data)
    }
}

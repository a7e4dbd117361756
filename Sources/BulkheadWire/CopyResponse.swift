// The body shared by CopyInResponse, CopyOutResponse and CopyBothResponse.
import NIOCore

/// Overall and per-column formats of a COPY.
public struct CopyResponse: Sendable, Hashable {
    /// 0 textual, 1 binary.
    public var format: Int8
    /// Per-column format codes.
    public var columnFormats: [Int16]

    /// Creates a copy response body.
    public init(format: Int8, columnFormats: [Int16]) {
        self.format = format
        self.columnFormats = columnFormats
    }

    static func decode(body: inout ByteBuffer) throws(ProtocolViolation) -> CopyResponse {
        let format = try body.readWireInteger(as: Int8.self, "copy response format")
        let columns = try body.readWireIntegerArray(of: Int16.self, "copy response column count")
        return CopyResponse(format: format, columnFormats: columns)
    }

    func encodeBody(into buffer: inout ByteBuffer) {
        buffer.writeInteger(self.format)
        buffer.writeWireIntegerArray(self.columnFormats)
    }
}

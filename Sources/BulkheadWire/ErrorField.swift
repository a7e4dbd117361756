// One typed field of an ErrorResponse or NoticeResponse.

/// A field of an ErrorResponse/NoticeResponse: a one-byte code ('S', 'C', 'M', ...) and its text.
public struct ErrorField: Sendable, Hashable {
    /// Field type code; never 0, which terminates the list on the wire.
    public var code: UInt8
    /// Field text.
    public var value: String

    /// Creates a field.
    public init(code: UInt8, value: String) {
        self.code = code
        self.value = value
    }

    /// Creates a field from an ASCII code such as "C".
    public init(_ code: Unicode.Scalar, _ value: String) {
        self.init(code: UInt8(ascii: code), value: value)
    }
}

// A cancel key as the tests see it on the wire, whether the proxy minted it or a fake server did.

/// A cancel key as it appears on the wire.
struct CancelKey: Hashable, CustomStringConvertible {
    var processID: Int32
    var secretKey: Int32
    var description: String { "(\(processID), \(secretKey))" }
}

// The single error type of the codec: malformed bytes from a peer.

/// Malformed or out-of-protocol bytes from a peer. Always corresponds to SQLSTATE 08P01 (protocol_violation).
public struct ProtocolViolation: Error, Sendable, Hashable, CustomStringConvertible {
    /// The SQLSTATE a proxy reports for every violation.
    public static let sqlState = "08P01"

    /// Human-readable reason, suitable for the M field of an ErrorResponse.
    public var message: String

    /// Creates a violation with the given reason.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String {
        "protocol violation: \(self.message)"
    }
}

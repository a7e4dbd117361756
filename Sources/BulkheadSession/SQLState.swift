// The SQLSTATE codes Bulkhead itself raises, and helpers that build its ErrorResponse frames.

import BulkheadWire
import NIOCore

/// SQLSTATE codes used by the proxy's own refusals.
public enum SQLState {
    public static let protocolViolation = "08P01"
    public static let connectionFailure = "08006"
    public static let connectionException = "08000"
    public static let invalidPassword = "28P01"
    public static let invalidAuthorization = "28000"
    public static let invalidCatalogName = "3D000"
    public static let tooManyConnections = "53300"
    public static let featureNotSupported = "0A000"
    public static let insufficientPrivilege = "42501"
    public static let queryCanceled = "57014"
    public static let adminShutdown = "57P01"
    public static let idleSessionTimeout = "57P05"
    public static let idleInTransactionTimeout = "25P03"
}

extension BackendMessage {
    /// Encodes this message as one frame in a new buffer.
    public var encoded: ByteBuffer {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return buffer
    }

    /// A FATAL error frame: the connection ends after it.
    public static func fatal(_ sqlState: String, _ message: String, detail: String? = nil, hint: String? = nil) -> ByteBuffer {
        BackendMessage.error(sqlState, message, severity: "FATAL", detail: detail, hint: hint).encoded
    }
}

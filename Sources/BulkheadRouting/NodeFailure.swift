// Why a node was taken out of traffic.

/// A failure that takes a node down at once, until a health check succeeds again.
public enum NodeFailure: Sendable, Hashable, CustomStringConvertible {
    /// The health check got an error.
    case probeFailed(String)
    /// The health check got no answer in time.
    case probeTimedOut(Duration)
    /// The pool could not open a connection.
    case connectFailed(String)
    /// A pooled connection broke.
    case connectionBroken(String)
    /// No health check has succeeded for this long (see ``TopologySettings/unconfirmedAfter``).
    case unconfirmed(Duration)

    public var description: String {
        switch self {
        case .probeFailed(let reason): return "health check failed: \(reason)"
        case .probeTimedOut(let after): return "health check timed out after \(DurationText.seconds(after))"
        case .connectFailed(let reason): return "connection failed: \(reason)"
        case .connectionBroken(let reason): return "connection broken: \(reason)"
        case .unconfirmed(let age): return "no successful health check for \(DurationText.seconds(age))"
        }
    }
}

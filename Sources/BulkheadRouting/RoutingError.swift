// Why a statement could not be routed, worded for the client.

/// A statement the router refuses, with the message and SQLSTATE to send the client.
public enum RoutingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No primary appeared within `primary_wait_timeout`.
    case noPrimary(waited: Duration, reason: String)
    /// Several nodes claim to be primary: writes stop rather than split.
    case splitBrain(nodes: [String])
    /// `bulkhead.route = replica`, and no replica is healthy.
    case noReplica

    /// `57P03` (cannot_connect_now): the cluster cannot serve this now; clients and drivers treat it as retryable.
    public var sqlState: String { "57P03" }

    public var description: String {
        switch self {
        case .noPrimary(let waited, let reason):
            return "no primary available after waiting \(DurationText.seconds(waited)): \(reason)"
        case .splitBrain(let nodes):
            return "writes refused: \(TopologyEvent.list(nodes)) all claim to be primary (split brain)"
        case .noReplica:
            return "bulkhead.route is replica but no replica is healthy"
        }
    }
}

// Where one statement goes, or what the proxy must do first.

/// The outcome of routing one statement.
public enum RouteTarget: Sendable, Hashable {
    /// Send it to this node.
    case node(NodeID)
    /// Hold this `BEGIN` and send it ahead of the next statement, to the node that one is routed to.
    case deferred
    /// No replica is known to have replayed `needs`. Run ``RoutingQueries/replayPosition`` on this replica,
    /// report the answer with ``Topology/replayObserved(_:lsn:now:)``, then route the statement again: it goes to
    /// the replica if the answer is at or after `needs`, otherwise to the primary.
    case checkReplica(NodeID, needs: LSN)
    /// Nothing can take it now (no primary yet, as during a failover). Route it again at this instant or as soon
    /// as a ``TopologyUpdate`` reports a change, passing the same `waitingSince`.
    case wait(until: ContinuousClock.Instant)
    /// Answer the client with this error.
    case fail(RoutingError)
}

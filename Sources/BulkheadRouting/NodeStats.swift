// A snapshot of one node for the admin console, metrics and logs.

/// What an operator sees about one node.
public struct NodeStats: Sendable, Hashable {
    public var node: NodeID
    public var name: String
    public var configuredRole: ConfiguredRole
    /// What the node reported at its last successful check.
    public var observedRole: ObservedRole?
    public var status: NodeStatus
    /// True when writes go to this node.
    public var isPrimary: Bool
    /// True when reads may go to this node as a replica.
    public var inRotation: Bool
    /// Replay lag in time, as of the node's last check (replicas only).
    public var lagSeconds: Duration?
    /// WAL bytes between the primary's last known position and this replica's last known replay position.
    public var lagBytes: UInt64?
    public var readsRouted: UInt64
    public var writesRouted: UInt64
    public var connectionsInUse: Int
}

// What changed in the topology after one input, for the owner to log and act on.

/// The effects of one topology input.
public struct TopologyUpdate: Sendable, Hashable {
    /// Changes to log, in order.
    public var events: [TopologyEvent] = []
    /// The primary appeared, disappeared or changed: statements waiting for one should be routed again.
    public var primaryChanged = false
    /// The set of replicas in rotation changed.
    public var rotationChanged = false

    public init() {}

    /// Nodes that just went down: the owner should fail what is in flight there rather than let it hang.
    public var nodesDown: [NodeID] {
        events.compactMap { event in
            if case .down = event.change { return event.node }
            return nil
        }
    }
}

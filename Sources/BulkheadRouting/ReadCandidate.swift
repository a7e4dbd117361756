// One node a read may go to, with what the balancer weighs.

/// A possible target for a read.
public struct ReadCandidate: Sendable, Hashable {
    public var node: NodeID
    /// Configured share of reads; 0 means "only when nothing else can".
    public var weight: Int
    /// Server connections currently leased on the node.
    public var inUse: Int

    public init(node: NodeID, weight: Int, inUse: Int) {
        self.node = node
        self.weight = weight
        self.inUse = inUse
    }
}

// The identity of one node inside a topology.

/// One node of the cluster, numbered by its position in the node list the ``Topology`` was built from.
///
/// A plain index keeps per-statement routing free of string hashing; names are for logs and stats.
public struct NodeID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The node's position in the list given to ``Topology/init(nodes:settings:)``.
    public var rawValue: Int

    public init(_ rawValue: Int) {
        self.rawValue = rawValue
    }

    public var description: String { "#\(rawValue)" }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool {
        lhs.rawValue < rhs.rawValue
    }
}

// The configured facts about one node that routing needs.

/// A node as configured: its name, expected role and read weight.
public struct RoutingNode: Sendable, Hashable {
    /// Unique label used in logs and stats.
    public var name: String
    /// The role the configuration expects.
    public var role: ConfiguredRole
    /// Share of reads relative to the other read targets; 0 takes reads only when no other node can.
    public var weight: Int

    public init(name: String, role: ConfiguredRole, weight: Int = 1) {
        self.name = name
        self.role = role
        self.weight = max(0, weight)
    }
}

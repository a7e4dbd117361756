// The router's answer for one statement.

/// Where a statement goes, and what the proxy must do after it.
public struct RoutingDecision: Sendable, Hashable {
    public var target: RouteTarget
    /// The statement commits writes on the primary: pipeline ``RoutingQueries/writePosition`` right after it and
    /// record the answer with ``ConsistencyTracker/recordWrite(_:for:now:)`` before the client's next read is routed.
    public var learnsWriteLSN: Bool

    public init(target: RouteTarget, learnsWriteLSN: Bool = false) {
        self.target = target
        self.learnsWriteLSN = learnsWriteLSN
    }
}

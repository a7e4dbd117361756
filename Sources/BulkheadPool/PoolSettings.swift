// The limits and timeouts one pool enforces, resolved from the configuration.

/// Limits and timeouts for one pool of server connections.
public struct PoolSettings: Sendable, Hashable {
    /// Connections the pool may hold at once for ordinary demand.
    public var maxSize: Int
    /// Connections kept open even when nobody needs them.
    public var minSize: Int
    /// Extra connections allowed when a client has waited longer than `reserveAfter`.
    public var reserveSize: Int
    /// How long a waiter must wait before the reserve may be used.
    public var reserveAfter: Duration
    /// How long a request may wait for a connection; nil waits forever.
    public var queueTimeout: Duration?
    /// Idle connections above `minSize` older than this are closed; nil keeps them.
    public var idleTimeout: Duration?
    /// Connections older than this are closed when they next come back; nil keeps them.
    public var lifetime: Duration?

    public init(
        maxSize: Int, minSize: Int = 0, reserveSize: Int = 0, reserveAfter: Duration = .seconds(5),
        queueTimeout: Duration? = nil, idleTimeout: Duration? = nil, lifetime: Duration? = nil
    ) {
        self.maxSize = max(1, maxSize)
        self.minSize = min(max(0, minSize), self.maxSize)
        self.reserveSize = max(0, reserveSize)
        self.reserveAfter = reserveAfter
        self.queueTimeout = queueTimeout
        self.idleTimeout = idleTimeout
        self.lifetime = lifetime
    }
}

// A snapshot of a pool's occupancy, for the admin console and metrics.

/// Counts of a pool's connections and waiters at one moment.
public struct PoolStats: Sendable, Hashable {
    public var idle: Int
    public var leased: Int
    public var connecting: Int
    public var waiting: Int
    /// Seconds the oldest waiter has waited.
    public var longestWait: Duration
    /// Leases handed out since the pool began.
    public var leases: Int = 0
    /// Of those, leases to a client on another event loop than the connection's: each of its messages then
    /// hops threads. Locality keeps this a small fraction.
    public var crossLoopLeases: Int = 0
    public var total: Int { idle + leased + connecting }
}

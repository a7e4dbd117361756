// What the pool state machine asks its owner to do after an event.

/// Identifies one server connection within a pool.
public typealias ConnectionID = Int
/// Identifies one request for a connection (one client waiting).
public typealias RequestID = Int

/// Why a request for a connection was refused.
public enum PoolFailure: Sendable, Hashable {
    /// The request waited longer than the queue timeout.
    case queueTimeout(Duration)
    /// Connecting to the server failed and nothing else was on its way.
    case connectFailed(String)
    /// The pool is shutting down.
    case shuttingDown
}

/// A connection handed to a request.
public struct Lease: Sendable, Hashable {
    public var request: RequestID
    public var connection: ConnectionID
    public init(request: RequestID, connection: ConnectionID) {
        self.request = request
        self.connection = connection
    }
}

/// A connection the owner should open, on the event loop the requester prefers.
public struct ConnectOrder: Sendable, Hashable {
    public var connection: ConnectionID
    public var loop: Int
}

/// Effects of one pool event, for the owner to carry out in order: fail, close, connect, lease.
public struct PoolAction: Sendable, Hashable {
    public var leases: [Lease] = []
    public var connect: [ConnectOrder] = []
    public var close: [ConnectionID] = []
    public var fail: [RequestID: PoolFailure] = [:]
    /// Call ``PoolStateMachine/recheck(now:)`` at this time: waiters held back for a connection on their own
    /// event loop may then take one elsewhere.
    public var recheckAt: ContinuousClock.Instant?

    public init() {}

    public var isEmpty: Bool { leases.isEmpty && connect.isEmpty && close.isEmpty && fail.isEmpty && recheckAt == nil }
}

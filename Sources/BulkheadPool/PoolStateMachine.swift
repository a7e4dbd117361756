// Decides which request gets which server connection, when to open and close connections, and when waiting ends.

/// The pool of server connections for one (database, server user, node), as a pure value.
///
/// The owner feeds it events with the current time and carries out the returned ``PoolAction``.
/// It never performs I/O and reads no clock of its own, so every timeout can be tested without sleeping.
/// Idle connections are handed out most-recently-used first, preferring the requester's event loop,
/// so that surplus connections age out and forwarding rarely crosses threads.
public struct PoolStateMachine: Sendable {
    public typealias Instant = ContinuousClock.Instant

    enum ConnectionState: Sendable, Hashable {
        case connecting
        case idle(since: Instant)
        case leased(RequestID)
    }

    struct Connection: Sendable, Hashable {
        var state: ConnectionState
        var loop: Int
        var created: Instant
    }

    struct Waiter: Sendable, Hashable {
        var request: RequestID
        var loop: Int
        var since: Instant
        /// Times a later waiter was served first because a free connection was on its event loop.
        var passedOver = 0
    }

    /// How often a waiter may be passed over for one on the free connection's event loop, and how far down
    /// the queue that waiter may stand: locality saves a thread hop per message, but never starves anyone.
    public static let maxPassedOver = 2
    public static let localityWindow = 8

    public private(set) var settings: PoolSettings
    private var connections: [ConnectionID: Connection] = [:]
    /// Idle connections, most recently used last.
    private var idle: [ConnectionID] = []
    private var waiters: [Waiter] = []
    private var nextConnectionID: ConnectionID
    private var shuttingDown = false
    /// Connections in the `.connecting` state, kept as a count because every event needs it.
    private var connectingCount = 0

    /// - Parameter firstConnectionID: lets several pools share one ID space.
    public init(settings: PoolSettings, firstConnectionID: ConnectionID = 1) {
        self.settings = settings
        self.nextConnectionID = firstConnectionID
    }

    // MARK: Events

    /// A client needs a connection.
    public mutating func request(_ request: RequestID, loop: Int, now: Instant) -> PoolAction {
        var action = PoolAction()
        if shuttingDown {
            action.fail[request] = .shuttingDown
            return action
        }
        waiters.append(Waiter(request: request, loop: loop, since: now))
        serveWaiters(now: now, into: &action)
        return action
    }

    /// A waiting client gave up (disconnected). If it already holds a lease the owner must release it instead.
    public mutating func cancel(_ request: RequestID) -> PoolAction {
        waiters.removeAll { $0.request == request }
        return PoolAction()
    }

    /// A connection the pool ordered is ready.
    public mutating func connected(_ id: ConnectionID, now: Instant) -> PoolAction {
        var action = PoolAction()
        guard var connection = connections[id], connection.state == .connecting else { return action }
        connectingCount -= 1
        connection.state = .idle(since: now)
        connections[id] = connection
        idle.append(id)
        serveWaiters(now: now, into: &action)
        trimIdle(now: now, into: &action)
        return action
    }

    /// A connection the pool ordered could not be opened.
    public mutating func connectFailed(_ id: ConnectionID, reason: String, now: Instant) -> PoolAction {
        var action = PoolAction()
        guard connections[id]?.state == .connecting else { return action }
        connections[id] = nil
        connectingCount -= 1
        // Waiters beyond what the remaining attempts can serve learn of the failure now instead of
        // waiting out the queue timeout against a server that is refusing us.
        let inFlight = connectingCount + idle.count
        while waiters.count > inFlight {
            let waiter = waiters.removeLast()
            action.fail[waiter.request] = .connectFailed(reason)
        }
        return action
    }

    /// A leased connection comes back. `reusable` is false when its state is unknown or broken.
    public mutating func release(_ id: ConnectionID, reusable: Bool, now: Instant) -> PoolAction {
        var action = PoolAction()
        guard var connection = connections[id], case .leased = connection.state else { return action }
        let expired = settings.lifetime.map { connection.created.advanced(by: $0) <= now } ?? false
        if !reusable || expired || shuttingDown {
            connections[id] = nil
            action.close.append(id)
        } else {
            connection.state = .idle(since: now)
            connections[id] = connection
            idle.append(id)
        }
        serveWaiters(now: now, into: &action)
        return action
    }

    /// A connection died on its own, whatever its state.
    public mutating func closed(_ id: ConnectionID, now: Instant) -> PoolAction {
        var action = PoolAction()
        guard let removed = connections.removeValue(forKey: id) else { return action }
        if removed.state == .connecting { connectingCount -= 1 }
        idle.removeAll { $0 == id }
        serveWaiters(now: now, into: &action)
        return action
    }

    /// Time passed: expire waiters, use the reserve, close idle and old connections, keep the minimum open.
    public mutating func tick(now: Instant) -> PoolAction {
        var action = PoolAction()
        if let timeout = settings.queueTimeout {
            waiters.removeAll { waiter in
                guard waiter.since.advanced(by: timeout) <= now else { return false }
                action.fail[waiter.request] = .queueTimeout(timeout)
                return true
            }
        }
        trimIdle(now: now, into: &action)
        serveWaiters(now: now, into: &action)
        return action
    }

    /// Stop serving: fail every waiter and close idle connections; leased ones close as they return.
    public mutating func shutdown() -> PoolAction {
        var action = PoolAction()
        shuttingDown = true
        for waiter in waiters { action.fail[waiter.request] = .shuttingDown }
        waiters.removeAll()
        for id in idle { connections[id] = nil; action.close.append(id) }
        idle.removeAll()
        return action
    }

    // MARK: Queries

    public func stats(now: Instant) -> PoolStats {
        var leased = 0, connecting = 0
        for connection in connections.values {
            switch connection.state {
            case .leased: leased += 1
            case .connecting: connecting += 1
            case .idle: break
            }
        }
        let longest = waiters.first.map { $0.since.duration(to: now) } ?? .zero
        return PoolStats(idle: idle.count, leased: leased, connecting: connecting, waiting: waiters.count, longestWait: longest)
    }

    /// Which request holds a connection, if any.
    public func holder(of id: ConnectionID) -> RequestID? {
        if case .leased(let request) = connections[id]?.state { return request }
        return nil
    }

    /// Adopt new limits (configuration reload). Takes effect as connections come and go.
    public mutating func update(settings: PoolSettings, now: Instant) -> PoolAction {
        self.settings = settings
        return tick(now: now)
    }

    // MARK: Internals

    private mutating func serveWaiters(now: Instant, into action: inout PoolAction) {
        while !waiters.isEmpty, !idle.isEmpty {
            let chosen = nextWaiter()
            for index in 0..<chosen { waiters[index].passedOver += 1 }
            let waiter = waiters.remove(at: chosen)
            let id = takeIdle(preferring: waiter.loop)
            connections[id]?.state = .leased(waiter.request)
            action.leases.append(Lease(request: waiter.request, connection: id))
        }
        // Open connections for waiters that nothing in flight will serve.
        var unserved = waiters.count - connectingCount
        var index = connectingCount
        while unserved > 0, connections.count < limit(now: now) {
            let loop = waiters[min(index, waiters.count - 1)].loop
            action.connect.append(order(loop: loop, now: now))
            unserved -= 1
            index += 1
        }
        while connections.count < settings.minSize, !shuttingDown {
            action.connect.append(order(loop: 0, now: now))
        }
    }

    /// The cap on connections: the reserve opens up once the oldest waiter has waited long enough.
    private func limit(now: Instant) -> Int {
        if settings.reserveSize > 0, let oldest = waiters.first, oldest.since.advanced(by: settings.reserveAfter) <= now {
            return settings.maxSize + settings.reserveSize
        }
        return settings.maxSize
    }

    private mutating func order(loop: Int, now: Instant) -> ConnectOrder {
        let id = nextConnectionID
        nextConnectionID += 1
        connections[id] = Connection(state: .connecting, loop: loop, created: now)
        connectingCount += 1
        return ConnectOrder(connection: id, loop: loop)
    }

    /// The waiter to serve next: the oldest, unless no idle connection is on its event loop and a waiter close
    /// behind it, whose loop has one, may go first without anyone ahead of it being passed over too often.
    private func nextWaiter() -> Int {
        func hasIdle(on loop: Int) -> Bool { idle.contains { connections[$0]?.loop == loop } }
        guard let head = waiters.first, !hasIdle(on: head.loop) else { return 0 }
        for index in 1..<min(waiters.count, Self.localityWindow) {
            if waiters[index - 1].passedOver >= Self.maxPassedOver { return 0 }
            if hasIdle(on: waiters[index].loop) { return index }
        }
        return 0
    }

    private mutating func takeIdle(preferring loop: Int) -> ConnectionID {
        if let index = idle.lastIndex(where: { connections[$0]?.loop == loop }) {
            return idle.remove(at: index)
        }
        return idle.removeLast()
    }

    /// Closes idle connections past the idle timeout or lifetime, and any above the cap after a reload.
    private mutating func trimIdle(now: Instant, into action: inout PoolAction) {
        var kept: [ConnectionID] = []
        var total = connections.count
        // Oldest idle first, so the most recently used survive.
        for id in idle {
            guard let connection = connections[id], case .idle(let since) = connection.state else { continue }
            let idleTooLong = settings.idleTimeout.map { since.advanced(by: $0) <= now } ?? false
            let tooOld = settings.lifetime.map { connection.created.advanced(by: $0) <= now } ?? false
            let overCap = total > settings.maxSize + settings.reserveSize
            if (idleTooLong && total > settings.minSize) || tooOld || overCap {
                connections[id] = nil
                action.close.append(id)
                total -= 1
            } else {
                kept.append(id)
            }
        }
        idle = kept
    }
}

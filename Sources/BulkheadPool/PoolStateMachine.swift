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
    }

    /// How far down the queue the pool looks for a waiter on the free connection's event loop.
    public static let localityWindow = 32
    /// How long a waiter holds back from an idle connection on another loop while its own loop's connections
    /// are busy but moving. A lease across loops costs three thread wake-ups per transaction; when a waiter
    /// could be passed over for locality only 8 times, 21% of leases crossed under `pgbench -S` at 50
    /// clients, and the proxy spent 5 µs more per transaction than on one loop. A waiter whose loop frees a
    /// connection within this time loses nothing by waiting for it. (500 µs was too short on two busy
    /// cores: a loop whose thread is descheduled frees nothing for longer, and crossing cannot help then.)
    public static let localityWait: Duration = .milliseconds(5)

    public private(set) var settings: PoolSettings
    private var connections: [ConnectionID: Connection] = [:]
    /// Idle connections, most recently used last.
    private var idle: [ConnectionID] = []
    private var waiters: [Waiter] = []
    private var nextConnectionID: ConnectionID
    private var shuttingDown = false
    /// Connections in the `.connecting` state, kept as a count because every event needs it.
    private var connectingCount = 0
    /// Leases handed out, and how many of them went to a client on another loop than the connection's.
    private var leaseCount = 0
    private var crossLoopLeaseCount = 0
    /// The time a ``recheck(now:)`` was last asked for, while it is still to come.
    private var recheckDue: Instant?
    /// The owner's event loops, numbered from 0: what each one's connections are doing (kept by
    /// ``setConnection(_:_:)``) and when one last became free.
    private var loopLoad: [LoopLoad]

    struct LoopLoad: Sendable {
        var idle = 0
        /// Leased or opening: what will become free on that loop.
        var live = 0
        /// When a connection on the loop last became free (returned or newly open): a loop whose connections
        /// have not moved for ``localityWait`` no longer holds its waiters back.
        var lastFreed: Instant?
        var connections: Int { idle + live }
    }

    /// - Parameters:
    ///   - firstConnectionID: lets several pools share one ID space.
    ///   - loops: how many event loops requests come from.
    public init(settings: PoolSettings, firstConnectionID: ConnectionID = 1, loops: Int = 1) {
        self.settings = settings
        self.nextConnectionID = firstConnectionID
        self.loopLoad = Array(repeating: LoopLoad(), count: max(loops, 1))
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
        setConnection(id, connection)
        idle.append(id)
        noteFreed(on: connection.loop, now: now)
        serveWaiters(now: now, into: &action)
        trimIdle(now: now, into: &action)
        return action
    }

    /// A connection the pool ordered could not be opened.
    public mutating func connectFailed(_ id: ConnectionID, reason: String, now: Instant) -> PoolAction {
        var action = PoolAction()
        guard connections[id]?.state == .connecting else { return action }
        setConnection(id, nil)
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
            setConnection(id, nil)
            action.close.append(id)
        } else {
            connection.state = .idle(since: now)
            setConnection(id, connection)
            idle.append(id)
        }
        noteFreed(on: connection.loop, now: now)
        serveWaiters(now: now, into: &action)
        return action
    }

    /// The time asked for in ``PoolAction/recheckAt`` has come: serve waiters held back for locality that
    /// may now take a connection on another loop.
    public mutating func recheck(now: Instant) -> PoolAction {
        var action = PoolAction()
        if let due = recheckDue, due <= now { recheckDue = nil }
        serveWaiters(now: now, into: &action)
        return action
    }

    /// A connection died on its own, whatever its state.
    public mutating func closed(_ id: ConnectionID, now: Instant) -> PoolAction {
        var action = PoolAction()
        guard let removed = connections[id] else { return action }
        setConnection(id, nil)
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
        for id in idle { setConnection(id, nil); action.close.append(id) }
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
        return PoolStats(idle: idle.count, leased: leased, connecting: connecting, waiting: waiters.count, longestWait: longest,
                         leases: leaseCount, crossLoopLeases: crossLoopLeaseCount)
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
        while !waiters.isEmpty, !idle.isEmpty, let chosen = nextWaiter(now: now) {
            let waiter = waiters.remove(at: chosen)
            let id = takeIdle(preferring: waiter.loop)
            guard var connection = connections[id] else {
                // An idle entry with no connection behind it (never expected): dropped, and the waiter keeps its place.
                waiters.insert(waiter, at: chosen)
                continue
            }
            connection.state = .leased(waiter.request)
            setConnection(id, connection)
            leaseCount += 1
            if connection.loop != waiter.loop { crossLoopLeaseCount += 1 }
            action.leases.append(Lease(request: waiter.request, connection: id))
        }
        if !waiters.isEmpty, !idle.isEmpty {
            // Waiters held back for locality while connections sit idle elsewhere: come back when the first of
            // them may cross, in case its own loop frees nothing by then. (An idle connection will serve them,
            // so none is opened for them.)
            askForRecheck(now: now, into: &action)
        } else {
            // Open connections for waiters that nothing in flight will serve.
            var unserved = waiters.count - connectingCount
            var index = connectingCount
            while unserved > 0, connections.count < limit(now: now) {
                let loop = placement(for: waiters[min(index, waiters.count - 1)].loop)
                action.connect.append(order(loop: loop, now: now))
                unserved -= 1
                index += 1
            }
        }
        while connections.count < settings.minSize, !shuttingDown {
            action.connect.append(order(loop: placement(for: nil), now: now))
        }
    }

    /// The loop for a new connection: the waiter's, unless that loop already holds its share of the pool and
    /// another holds less. Clients spread evenly over the loops, so connections must too, or a loop with too
    /// few serves its clients from another thread, a hop per message.
    private func placement(for wanted: Int?) -> Int {
        let counts = loopLoad.map(\.connections)
        let fewest = counts.indices.min { counts[$0] < counts[$1] } ?? 0
        guard let wanted else { return fewest }
        // A loop beyond the count given at creation is the owner's business: it gets what it asks for.
        guard counts.indices.contains(wanted) else { return wanted }
        let share = (settings.maxSize + counts.count - 1) / counts.count
        return counts[wanted] < share || counts[wanted] <= counts[fewest] ? wanted : fewest
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
        setConnection(id, Connection(state: .connecting, loop: loop, created: now))
        connectingCount += 1
        return ConnectOrder(connection: id, loop: loop)
    }

    /// The waiter to serve next, or nil when every waiter in reach should rather wait for its own loop.
    ///
    /// First, in queue order, a waiter with an idle connection on its own event loop, or one whose loop has
    /// freed nothing for ``localityWait`` (so no loop can starve another's waiters). Failing that, a waiter
    /// that its own loop's connections cannot serve in the next round, which spreads an uneven load.
    /// Each loop's waiters are thus served in their order, and a connection crosses loops only when it
    /// would otherwise sit idle while a waiter elsewhere has no near prospect.
    private func nextWaiter(now: Instant) -> Int? {
        let reach = min(waiters.count, Self.localityWindow)
        for index in 0..<reach {
            let waiter = waiters[index]
            if load(of: waiter.loop).idle > 0 || crossAllowed(waiter) <= now { return index }
        }
        // Waiters of each loop counted so far; loops past the owner's count share the last slot (they have
        // no connections of their own, so any of their waiters may cross).
        var ahead = Array(repeating: 0, count: loopLoad.count + 1)
        for index in 0..<reach {
            let loop = waiters[index].loop
            let slot = loopLoad.indices.contains(loop) ? loop : loopLoad.count
            if ahead[slot] >= load(of: loop).live { return index }
            ahead[slot] += 1
        }
        return nil
    }

    /// When a waiter held back for locality may cross anyway.
    private func crossAllowed(_ waiter: Waiter) -> Instant {
        let freed = load(of: waiter.loop).lastFreed ?? waiter.since
        return max(waiter.since, freed).advanced(by: Self.localityWait)
    }

    /// Idle, and leased or opening, connections on one loop (none on a loop the pool was not told of).
    private func load(of loop: Int) -> LoopLoad {
        loopLoad.indices.contains(loop) ? loopLoad[loop] : LoopLoad()
    }

    /// Every change to a connection goes through here, so the per-loop counts stay true.
    private mutating func setConnection(_ id: ConnectionID, _ new: Connection?) {
        if let old = connections[id] { count(old, -1) }
        if let new { count(new, 1) }
        connections[id] = new
    }

    private mutating func count(_ connection: Connection, _ delta: Int) {
        guard loopLoad.indices.contains(connection.loop) else { return }
        switch connection.state {
        case .idle: loopLoad[connection.loop].idle += delta
        case .leased, .connecting: loopLoad[connection.loop].live += delta
        }
    }

    private mutating func noteFreed(on loop: Int, now: Instant) {
        if loopLoad.indices.contains(loop) { loopLoad[loop].lastFreed = now }
    }

    /// Asks the owner for a ``recheck(now:)`` when the first held-back waiter may cross, unless one comes sooner.
    /// (A recheck already due later is left alone: it asks again for whoever is still held back then.)
    private mutating func askForRecheck(now: Instant, into action: inout PoolAction) {
        if let pending = recheckDue, pending > now { return }
        guard let due = waiters.prefix(Self.localityWindow).map(crossAllowed).min() else { return }
        recheckDue = due
        action.recheckAt = due
    }

    private mutating func takeIdle(preferring loop: Int) -> ConnectionID {
        if load(of: loop).idle > 0, let index = idle.lastIndex(where: { connections[$0]?.loop == loop }) {
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
                setConnection(id, nil)
                action.close.append(id)
                total -= 1
            } else {
                kept.append(id)
            }
        }
        idle = kept
    }
}

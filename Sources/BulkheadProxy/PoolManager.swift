// Owns every pool's state machine and carries out its actions: opening, handing out, resetting and closing server connections.

import BulkheadPool
import BulkheadSession
import BulkheadWire
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Identifies one pool: a database as the server sees it, the role the proxy logs in as, and a node.
struct PoolKey: Hashable, Sendable {
    var database: String
    var user: String
    var node: String
}

/// What a client receives when the pool has a connection for it. Called on the client's event loop.
protocol PoolClient: ServerFrameSink {
    var eventLoop: any EventLoop { get }
    func serverLeased(_ link: consuming ServerLink, channel: any Channel)
    func serverUnavailable(_ message: String)
    /// The pool replaced the client's request with a new one (its connection failed a health check).
    func requestReplaced(_ request: RequestID)
}

/// The shared pools. All pool state sits behind one lock; I/O happens outside it.
final class PoolManager: Sendable {
    /// One server connection the pools own. A class, so a lookup costs one reference rather than a copy of
    /// every field: records are looked up several times per transaction.
    private final class Record: @unchecked Sendable {
        // @unchecked: the mutable fields are read and written only under `state`'s lock.
        /// Its pool, held directly: a release then hashes no key.
        let pool: Pool
        let handler: ServerHandler
        var channel: (any Channel)?
        /// The link while the connection is idle in the pool; a client holds it otherwise.
        var link: ServerLink?
        /// When it last went idle, to decide whether it needs a health check before use.
        var idleSince: ContinuousClock.Instant?

        init(pool: Pool, handler: ServerHandler) {
            self.pool = pool
            self.handler = handler
        }

        var key: PoolKey { pool.key }
        var node: NodeAddress { pool.node }
    }

    /// One pool. A class, so that reaching its state machine through the dictionary copies nothing.
    private final class Pool: @unchecked Sendable {
        // @unchecked: `machine` is read and written only under `state`'s lock.
        var machine: PoolStateMachine
        let key: PoolKey
        let target: DatabasePlan
        let node: NodeAddress

        init(machine: PoolStateMachine, key: PoolKey, target: DatabasePlan, node: NodeAddress) {
            self.machine = machine
            self.key = key
            self.target = target
            self.node = node
        }
    }

    private struct Waiter {
        weak var client: (any PoolClient)?
        var key: PoolKey
    }

    private struct State {
        var pools: [PoolKey: Pool] = [:]
        var records: [ConnectionID: Record] = [:]
        var waiters: [RequestID: Waiter] = [:]
        var nextRequest: RequestID = 1
        /// What the first server of each database and role reported at login, sent to clients that log in later.
        var welcome: [WelcomeKey: ParameterSet] = [:]
    }

    private let state = NIOLockedValueBox(State())
    /// Hand-ons nested in the current call chain, per thread; see `returned`.
    private let handOnDepths = ThreadSpecificVariable<Nesting>()
    private let loops: [any EventLoop]
    private let plan: ProxyPlan
    private let logger: Logger
    private let connector: any ServerConnector
    /// Told when a node refuses connections (taken out of routing at once) or a connection to it breaks (checked at once).
    private let nodeTrouble: @Sendable (_ node: String, _ refused: String?) -> Void
    /// The pool's clock, injectable so timeout tests need not sleep.
    private let now: @Sendable () -> ContinuousClock.Instant

    init(loops: [any EventLoop], plan: ProxyPlan, logger: Logger, connector: any ServerConnector = TCPConnector(),
         now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
         nodeTrouble: @escaping @Sendable (_ node: String, _ refused: String?) -> Void = { _, _ in }) {
        self.loops = loops
        self.plan = plan
        self.logger = logger
        self.connector = connector
        self.now = now
        self.nodeTrouble = nodeTrouble
    }

    struct WelcomeKey: Hashable, Sendable {
        var database: String
        var user: String
    }

    /// What a server of `database`'s pools reported at login, once one has logged in.
    func welcomeParameters(for database: DatabasePlan) -> ParameterSet? {
        state.withLockedValue { $0.welcome[WelcomeKey(database: database.serverDatabase, user: database.serverUser)] }
    }

    private static func key(for database: DatabasePlan, node: NodeAddress) -> PoolKey {
        PoolKey(database: database.serverDatabase, user: database.serverUser, node: node.name)
    }

    func loopIndex(of loop: any EventLoop) -> Int {
        loops.firstIndex { $0 === loop } ?? 0
    }

    // MARK: Client requests

    /// Asks for a connection to `database` on `node` on behalf of `client`. Returns the request's ID.
    func acquire(database: DatabasePlan, node: NodeAddress, for client: any PoolClient) -> RequestID {
        let key = Self.key(for: database, node: node)
        let loop = loopIndex(of: client.eventLoop)
        let (request, action) = state.withLockedValue { state -> (RequestID, PoolAction) in
            let request = state.nextRequest
            state.nextRequest += 1
            state.waiters[request] = Waiter(client: client, key: key)
            let pool: Pool
            if let existing = state.pools[key] {
                pool = existing
            } else {
                let first = (state.pools.count + 1) << 32
                pool = Pool(machine: PoolStateMachine(settings: database.pool, firstConnectionID: first, loops: loops.count), key: key,
                            target: database, node: node)
                state.pools[key] = pool
            }
            let action = pool.machine.request(request, loop: loop, now: now())
            return (request, action)
        }
        perform(action, key: key)
        return request
    }

    func cancel(_ request: RequestID) {
        let key: PoolKey? = state.withLockedValue { state in
            guard let waiter = state.waiters.removeValue(forKey: request) else { return nil }
            _ = state.pools[waiter.key]?.machine.cancel(request)
            return waiter.key
        }
        _ = key
    }

    /// A client lets go of a connection. The link is moved through, never copied: the pool usually hands it
    /// straight to a waiting client, whose first change would otherwise copy its whole storage.
    func release(_ release: consuming ServerRelease, channel: any Channel) {
        let loop = channel.eventLoop
        let disposition = release.disposition
        let link = release.link
        _ = consume release
        guard loop.inEventLoop else {
            let handoff = LinkHandoff(consume link)
            return loop.execute { handoff.take().map { self.releaseHere($0, disposition: disposition, on: loop) } }
        }
        releaseHere(consume link, disposition: disposition, on: loop)
    }

    private func releaseHere(_ link: consuming ServerLink, disposition: ReleaseDisposition, on loop: any EventLoop) {
        let id = link.id
        let handler = state.withLockedValue { $0.records[id]?.handler }
        handler?.detach()
        switch disposition {
        case .reuse where !link.isTainted && link.isIdle:
            returned(id, link: consume link, reusable: true, on: loop)
        case .reset where !link.isTainted:
            guard let handler else { return returned(id, link: consume link, reusable: false, on: loop) }
            let original = link
            handler.reset(consume link, resetQuery: plan.resetQuery) { [self] result in
                switch result {
                case .success(let link): returned(id, link: link, reusable: true, on: loop)
                case .failure(let error):
                    logger.debug("server connection not reusable: \(error)", metadata: ["server": "\(id)"])
                    returned(id, link: original, reusable: false, on: loop)
                }
            }
        case .reuse, .reset, .close:
            returned(id, link: consume link, reusable: false, on: loop)
        }
    }

    private func returned(_ id: ConnectionID, link: consuming ServerLink, reusable: Bool, on loop: any EventLoop) {
        // Moved into the record, not copied: this function's own reference would outlive the hand-on below.
        var moving: ServerLink? = consume link
        let now = now()
        let (key, action) = state.withLockedValue { state -> (PoolKey?, PoolAction) in
            guard let record = state.records[id] else { return (nil, PoolAction()) }
            if reusable {
                record.link = moving.take()
                record.idleSince = now
            }
            return (record.key, record.pool.machine.release(id, reusable: reusable, now: now))
        }
        guard let key else { return }
        if action.leases.isEmpty { return perform(action, key: key) }
        // The next holder usually gets the connection at once. But a holder that gives it straight back (a
        // login that only wanted the server's parameters) returns it from deeper in the same call chain, and a
        // storm of such logins overflowed the stack: past a few nested hand-ons, it goes in a task of its own.
        let nesting = handOnNesting()
        guard loop.inEventLoop, nesting.depth < 4 else { return loop.execute { [self] in perform(action, key: key) } }
        nesting.depth += 1
        defer { nesting.depth -= 1 }
        perform(action, key: key)
    }

    /// This thread's count of nested hand-ons.
    private func handOnNesting() -> Nesting {
        if let nesting = handOnDepths.currentValue { return nesting }
        let nesting = Nesting()
        handOnDepths.currentValue = nesting
        return nesting
    }

    // MARK: Pool actions

    private func perform(_ action: PoolAction, key: PoolKey) {
        if action.isEmpty { return }
        for (request, failure) in action.fail {
            let waiter = state.withLockedValue { $0.waiters.removeValue(forKey: request) }
            guard let client = waiter?.client else { continue }
            let message = describe(failure, key: key)
            client.eventLoop.execute { client.serverUnavailable(message) }
        }
        for id in action.close {
            let record = state.withLockedValue { $0.records.removeValue(forKey: id) }
            record?.channel?.close(promise: nil)
        }
        for order in action.connect { connect(order, key: key) }
        for lease in action.leases { hand(lease, key: key) }
        if let due = action.recheckAt { scheduleRecheck(at: due, key: key) }
    }

    /// Waiters held back for a connection on their own event loop get another look when they may cross.
    private func scheduleRecheck(at due: ContinuousClock.Instant, key: PoolKey) {
        guard let loop = loops.first else { return }
        let delay = max(now().duration(to: due), .zero)
        loop.scheduleTask(in: .nanoseconds(Int64(delay.nanoseconds))) { [self] in
            let action = state.withLockedValue { $0.pools[key]?.machine.recheck(now: now()) } ?? PoolAction()
            perform(action, key: key)
        }
    }

    private func describe(_ failure: PoolFailure, key: PoolKey) -> String {
        let pool = "\(key.database)/\(key.user)@\(key.node)"
        switch failure {
        case .queueTimeout(let timeout):
            return "bulkhead: no server connection became free in pool \(pool) within \(timeout.seconds)s (query_wait_timeout)"
        case .connectFailed(let reason):
            return "bulkhead: could not connect to server for pool \(pool): \(reason)"
        case .shuttingDown:
            return "bulkhead: the proxy is shutting down"
        }
    }

    private func hand(_ lease: Lease, key: PoolKey) {
        // Filled under the lock by a closure that does not escape: no tuple is built or copied.
        var client: (any PoolClient)?
        var record: Record?
        var link: ServerLink?
        var idleSince: ContinuousClock.Instant?
        state.withLockedValue { state in
            client = state.waiters.removeValue(forKey: lease.request)?.client
            record = state.records[lease.connection]
            // The link is moved out, so one owner holds it.
            link = record?.link.take()
            idleSince = record?.idleSince
        }
        guard let leased = link.take(), let record, let channel = record.channel else {
            // The connection vanished between the decision and now: it is closing; the pool hears of that separately.
            if let client { client.eventLoop.execute { client.serverUnavailable("bulkhead: server connection lost") } }
            return
        }
        guard let client else {
            // The client left while waiting.
            return returned(lease.connection, link: leased, reusable: true, on: channel.eventLoop)
        }
        let handler = record.handler
        let needsCheck = plan.serverCheckDelay.map { delay in idleSince.map { $0.advanced(by: delay) <= now() } ?? false } ?? false
        if !needsCheck, channel.eventLoop.inEventLoop {
            return attach(consume leased, handler: handler, channel: channel, to: client)
        }
        let handoff = LinkHandoff(consume leased)
        channel.eventLoop.execute { [self] in
            guard let link = handoff.take() else { return }
            guard needsCheck else { return attach(link, handler: handler, channel: channel, to: client) }
            handler.check(link) { [self] result in
                switch result {
                case .success(let checked):
                    attach(checked, handler: handler, channel: channel, to: client)
                case .failure(let error):
                    // A connection that no longer answers is dropped, and the client waits for another one.
                    logger.info("server connection failed its health check: \(error)", metadata: ["server": "\(lease.connection)"])
                    channel.close(promise: nil)
                    guard let pool = state.withLockedValue({ $0.pools[key] }) else { return }
                    let request = acquire(database: pool.target, node: pool.node, for: client)
                    client.eventLoop.execute { client.requestReplaced(request) }
                }
            }
        }
    }

    /// Gives the client the connection, unless it died since the pool chose it. Runs on the connection's event loop.
    private func attach(_ link: consuming ServerLink, handler: ServerHandler, channel: any Channel, to client: any PoolClient) {
        guard handler.attach(client) else {
            // It closed after the pool chose it (the pool has already forgotten it): the client must not
            // be told it holds a dead connection.
            client.eventLoop.execute { client.serverUnavailable("bulkhead: server connection lost before it could be used") }
            return
        }
        // The usual case, a client on its connection's loop, builds no closure.
        // `consume`: a second reference alive while the client works would make its first change copy the link.
        if client.eventLoop.inEventLoop { return client.serverLeased(consume link, channel: channel) }
        let handoff = LinkHandoff(consume link)
        client.eventLoop.execute {
            guard let taken = handoff.take() else { return }
            client.serverLeased(taken, channel: channel)
        }
    }

    private func connect(_ order: ConnectOrder, key: PoolKey) {
        guard let pool = state.withLockedValue({ $0.pools[key] }) else { return }
        let id = order.connection
        let target = pool.target
        let loop = loops[order.loop % loops.count]
        logger.debug("opening server connection \(id) on event loop \(order.loop % loops.count)", metadata: ["pool": "\(key.database)/\(key.user)@\(key.node)"])
        let timeout = plan.connectTimeout
        let logger = self.logger
        let login = ServerLogin(user: target.serverUser, database: target.serverDatabase, password: target.serverPassword)
        let maxLength = plan.maxMessageLength
        let handler = ServerHandler(id: id, login: login, logger: logger, maxMessageLength: maxLength, onLogin: { [self] result in
            switch result {
            case .success(let (backendKey, parameters)):
                let link = ServerLink(id: id, backendKey: backendKey, parameters: parameters)
                let action = state.withLockedValue { state -> PoolAction in
                    // A connection that has just logged in needs no health check, so it has no idle time yet.
                    state.records[id]?.link = link
                    let welcome = WelcomeKey(database: key.database, user: key.user)
                    if state.welcome[welcome] == nil { state.welcome[welcome] = parameters }
                    return state.pools[key]?.machine.connected(id, now: now()) ?? PoolAction()
                }
                perform(action, key: key)
            case .failure(let error):
                logger.warning("login to \(pool.node.name) failed: \(error)")
                connectFailed(id, key: key, reason: error.description)
            }
        }, onClose: { [self] in
            let action = state.withLockedValue { state -> PoolAction? in
                // A record still here means the pool did not close it: the server or the network did.
                guard state.records.removeValue(forKey: id) != nil else { return nil }
                return state.pools[key]?.machine.closed(id, now: now()) ?? PoolAction()
            }
            guard let action else { return }
            nodeTrouble(key.node, nil)
            perform(action, key: key)
        })
        state.withLockedValue { $0.records[id] = Record(pool: pool, handler: handler) }
        let connectTimeout = TimeAmount.nanoseconds(Int64(timeout.nanoseconds))
        connector.connect(to: pool.node, on: loop, timeout: connectTimeout) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(handler)
            }
        }
            .whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    state.withLockedValue { $0.records[id]?.channel = channel }
                    // A server that accepts but never finishes the login must not hold the slot forever.
                    channel.eventLoop.scheduleTask(in: connectTimeout) {
                        let waiting = self.state.withLockedValue { $0.records[id]?.link == nil && $0.pools[key]?.machine.holder(of: id) == nil }
                        if waiting { channel.close(promise: nil) }
                    }
                case .failure(let error):
                    logger.warning("connect to \(pool.node.name) (\(pool.node.host):\(pool.node.port)) failed: \(error)")
                    nodeTrouble(key.node, "\(error)")
                    connectFailed(id, key: key, reason: "\(error)")
                }
            }
    }

    private func connectFailed(_ id: ConnectionID, key: PoolKey, reason: String) {
        let action = state.withLockedValue { state -> PoolAction in
            state.records[id] = nil
            return state.pools[key]?.machine.connectFailed(id, reason: reason, now: now()) ?? PoolAction()
        }
        perform(action, key: key)
    }

    // MARK: Housekeeping

    /// Expires waiters and trims idle connections; called periodically.
    func tick() {
        let actions = state.withLockedValue { state -> [(PoolKey, PoolAction)] in
            state.pools.keys.map { key in (key, state.pools[key]?.machine.tick(now: now()) ?? PoolAction()) }
        }
        for (key, action) in actions { perform(action, key: key) }
    }

    func shutdown() {
        let actions = state.withLockedValue { state -> [(PoolKey, PoolAction)] in
            state.pools.keys.map { key in (key, state.pools[key]?.machine.shutdown() ?? PoolAction()) }
        }
        for (key, action) in actions { perform(action, key: key) }
    }

    /// Sends a CancelRequest for the server connection `id` on a new connection to its node.
    func cancel(connection id: ConnectionID, key backendKey: BackendKey) {
        guard let node = state.withLockedValue({ $0.records[id]?.node }) else { return }
        let logger = self.logger
        connector.connect(to: node, on: loops[0], timeout: .seconds(5)) { channel in channel.eventLoop.makeSucceededVoidFuture() }
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    var buffer = channel.allocator.buffer(capacity: 16)
                    CancelRequest(processID: backendKey.processID, secretKey: backendKey.secretKey).encode(into: &buffer)
                    channel.writeAndFlush(buffer).whenComplete { _ in channel.close(promise: nil) }
                case .failure(let error):
                    logger.warning("could not send cancel to \(node.name): \(error)")
                }
            }
    }

    /// Occupancy of every pool, for the admin console, metrics and tests.
    func stats() -> [PoolKey: PoolStats] {
        state.withLockedValue { state in state.pools.mapValues { $0.machine.stats(now: now()) } }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
    var nanoseconds: Double { seconds * 1e9 }
}

/// A depth counter that one thread owns.
private final class Nesting: @unchecked Sendable {
    // @unchecked: kept in a thread-specific variable, so only its thread ever touches it.
    var depth = 0
}

/// Carries a server link through the closures of a lease, so that one owner holds it when it arrives.
///
/// A link captured by a closure keeps a second reference to its storage while the client uses it, and the
/// client's first change (the parameter sync, a pending response) would then copy the whole storage.
final class LinkHandoff: @unchecked Sendable {
    // @unchecked: filled on one event loop and taken once on another, after the hop that orders the two.
    private var link: ServerLink?

    init(_ link: consuming ServerLink?) {
        self.link = link
    }

    var holdsLink: Bool { link != nil }

    /// The link, leaving nothing behind; nil the second time.
    func take() -> ServerLink? {
        link.take()
    }
}

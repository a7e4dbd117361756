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
    private struct Record {
        var key: PoolKey
        var node: NodeAddress
        var channel: (any Channel)?
        var handler: ServerHandler?
        /// The link while the connection is idle in the pool; a client holds it otherwise.
        var link: ServerLink?
        /// When it last went idle, to decide whether it needs a health check before use.
        var idleSince: ContinuousClock.Instant?
    }

    private struct Pool {
        var machine: PoolStateMachine
        var target: DatabasePlan
        var node: NodeAddress
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
    private let loops: [any EventLoop]
    private let plan: NIOLockedValueBox<ProxyPlan>
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
        self.plan = NIOLockedValueBox(plan)
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
            if state.pools[key] == nil {
                let first = (state.pools.count + 1) << 32
                state.pools[key] = Pool(machine: PoolStateMachine(settings: database.pool, firstConnectionID: first),
                                        target: database, node: node)
            }
            let action = state.pools[key]?.machine.request(request, loop: loop, now: now()) ?? PoolAction()
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

    /// A client lets go of a connection.
    func release(_ release: ServerRelease, channel: any Channel) {
        let id = release.link.id
        let resetQuery = plan.withLockedValue { $0.resetQuery }
        channel.eventLoop.runHereOrQueue { [self] in
            let handler = state.withLockedValue { $0.records[id]?.handler }
            handler?.detach()
            switch release.disposition {
            case .reuse where !release.link.isTainted && release.link.isIdle:
                returned(id, link: release.link, reusable: true, on: channel.eventLoop)
            case .reset where !release.link.isTainted:
                guard let handler else { returned(id, link: release.link, reusable: false, on: channel.eventLoop); return }
                handler.reset(release.link, resetQuery: resetQuery) { [self] result in
                    switch result {
                    case .success(let link): returned(id, link: link, reusable: true, on: channel.eventLoop)
                    case .failure(let error):
                        logger.debug("server connection not reusable: \(error)", metadata: ["server": "\(id)"])
                        returned(id, link: release.link, reusable: false, on: channel.eventLoop)
                    }
                }
            case .reuse, .reset, .close:
                returned(id, link: release.link, reusable: false, on: channel.eventLoop)
            }
        }
    }

    private func returned(_ id: ConnectionID, link: ServerLink, reusable: Bool, on loop: any EventLoop) {
        let (key, action) = state.withLockedValue { state -> (PoolKey?, PoolAction) in
            guard let key = state.records[id]?.key else { return (nil, PoolAction()) }
            if reusable {
                state.records[id]?.link = link
                state.records[id]?.idleSince = now()
            }
            let action = state.pools[key]?.machine.release(id, reusable: reusable, now: now()) ?? PoolAction()
            return (key, action)
        }
        guard let key else { return }
        if action.leases.isEmpty { return perform(action, key: key) }
        // The next holder gets the connection in a task of its own. Handed on inside this return, a holder
        // that gives it straight back (a login that only wanted the server's parameters) returns it from
        // deeper in the same call chain, and a storm of such logins overflowed the stack.
        loop.execute { [self] in perform(action, key: key) }
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
        let found = state.withLockedValue { state in
            // The link is moved out in place rather than copied with the rest of the record.
            (waiter: state.waiters.removeValue(forKey: lease.request),
             link: LinkHandoff(state.records[lease.connection]?.link.take()), record: state.records[lease.connection])
        }
        guard found.link.holdsLink, let channel = found.record?.channel, let handler = found.record?.handler else {
            // The connection vanished between the decision and now: it is closing; the pool hears of that separately.
            if let client = found.waiter?.client { client.eventLoop.execute { client.serverUnavailable("bulkhead: server connection lost") } }
            return
        }
        guard let client = found.waiter?.client else {
            // The client left while waiting.
            if let link = found.link.take() { returned(lease.connection, link: link, reusable: true, on: channel.eventLoop) }
            return
        }
        let checkDelay = plan.withLockedValue { $0.serverCheckDelay }
        let idleSince = found.record?.idleSince
        let needsCheck = checkDelay.map { delay in idleSince.map { $0.advanced(by: delay) <= now() } ?? false } ?? false
        let handoff = found.link
        channel.eventLoop.runHereOrQueue { [self] in
            guard needsCheck else { return attach(handoff, handler: handler, channel: channel, to: client) }
            guard let link = handoff.take() else { return }
            handler.check(link) { [self] result in
                switch result {
                case .success(let checked):
                    attach(LinkHandoff(checked), handler: handler, channel: channel, to: client)
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
    private func attach(_ link: LinkHandoff, handler: ServerHandler, channel: any Channel, to client: any PoolClient) {
        guard handler.attach(client) else {
            // It closed after the pool chose it (the pool has already forgotten it): the client must not
            // be told it holds a dead connection.
            client.eventLoop.execute { client.serverUnavailable("bulkhead: server connection lost before it could be used") }
            return
        }
        client.eventLoop.runHereOrQueue {
            guard let taken = link.take() else { return }
            client.serverLeased(taken, channel: channel)
        }
    }

    private func connect(_ order: ConnectOrder, key: PoolKey) {
        guard let pool = state.withLockedValue({ $0.pools[key] }) else { return }
        let id = order.connection
        let target = pool.target
        let loop = loops[order.loop % loops.count]
        let timeout = plan.withLockedValue { $0.connectTimeout }
        let logger = self.logger
        let login = ServerLogin(user: target.serverUser, database: target.serverDatabase, password: target.serverPassword)
        let maxLength = plan.withLockedValue { $0.maxMessageLength }
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
        state.withLockedValue { $0.records[id] = Record(key: key, node: pool.node, channel: nil, handler: handler, link: nil) }
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

// Runs one client connection by feeding its ClientSession and carrying out the actions the session returns.

import BulkheadAuth
import BulkheadPool
import BulkheadRouting
import BulkheadSession
import BulkheadWire
import Logging
import NIOCore

/// The channel handler of one client connection. It makes no decisions: ``ClientSession`` does.
final class ClientHandler: ChannelInboundHandler, PoolClient, @unchecked Sendable {
    // @unchecked: all mutable state is touched only on `eventLoop`; the pool calls in through `eventLoop.execute`.
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let eventLoop: any EventLoop
    private let runtime: ProxyRuntime
    private var session: ClientSession
    private var context: ChannelHandlerContext?
    private var serverChannel: (any Channel)?
    private var serverWrites: [ByteBuffer] = []
    private var pendingRequest: RequestID?
    private var database: DatabasePlan?
    /// Set for a tenant's user: every statement then goes through the gate.
    private var tenant: TenantPlan?
    private var overLimit: Bool
    private var counted = true
    private var lastRead = NIODeadline.now()
    /// This client's `bulkhead.route` and transaction, as routing sees them.
    private var routingSession = RoutingSession()
    /// The node the current lease (or the request for one) was routed to, counted in its load until released.
    private var routedNode: NodeID?
    /// That node was a replica when routed: the lease may take only reads.
    private var routedToReplica = false
    /// What the waiting request was routed by, to route it again when it must wait or its replica fails.
    private var routedFacts = StatementFacts.write
    private var rerouteAttempts = 0
    private var routeWait: Scheduled<Void>?
    /// Bumped when the client stops wanting a connection, so a freshness check answering late routes nothing.
    private var routeGeneration = 0
    /// Inside `perform` or `acquire`: a lease the pool hands over synchronously waits until they finish, so
    /// actions keep their order and the request ID is recorded before the lease that answers it.
    private var busy = false
    private var leaseArrived: (link: ServerLink, channel: any Channel)?
    /// Reads paused for backpressure, to resume only what was paused when the lease ends.
    private var serverReadsPaused = false
    private var clientReadsPaused = false
    /// Session pooling with routing: the client's own server connection, set aside while a read runs on a
    /// replica lease, with its pool ID and the node it counts against.
    private var parkedChannel: (any Channel)?
    private var parkedServerID: Int?
    private var homeNode: NodeID?
    /// Counted among the pinned clients, until it leaves.
    private var countedPinned = false
    /// Cuts the client's bytes into startup packets, then frames, checking lengths before buffering. Run here
    /// rather than in a handler of its own: one handler less for every idle client, and no pipeline hop per
    /// message of an extended-protocol batch.
    private var decoder: ClientDecoder
    /// The start of a packet whose end has not arrived yet.
    private var unread: ByteBuffer?
    /// Frames for the client since its last flush, sent at the next flush point: usually one frame, which then
    /// goes down the pipeline once as a write-and-flush. (A flush with nothing to send would still walk the
    /// pipeline, and the proxy reaches a flush point several times per transaction.)
    private var clientPending: [ByteBuffer] = []

    init(runtime: ProxyRuntime, eventLoop: any EventLoop, overLimit: Bool) {
        self.runtime = runtime
        self.eventLoop = eventLoop
        self.overLimit = overLimit
        self.decoder = ClientDecoder(maxMessageLength: runtime.plan.maxMessageLength)
        let randomness = SessionRandomness(md5Salt: AuthRandom.bytes(4), scramNonce: AuthRandom.bytes(18), mockKey: runtime.mockKey)
        // The real key is minted once the handler exists; this placeholder is replaced in `handlerAdded`.
        self.session = ClientSession(backendKey: BackendKey(processID: 0, secretKey: 0), randomness: randomness, settings: runtime.sessionSettings)
        let key = runtime.cancels.mint(for: self)
        self.session = ClientSession(backendKey: key, randomness: randomness, settings: runtime.sessionSettings)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    // MARK: Inbound from the client

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastRead = .now()
        var bytes = unwrapInboundIn(data)
        if var earlier = unread {
            earlier.writeBuffer(&bytes)
            bytes = earlier
            unread = nil
        }
        while true {
            let packet: ClientPacket
            do {
                guard let next = try decoder.decode(buffer: &bytes) else { break }
                packet = next
            } catch let violation as ProtocolViolation {
                return protocolViolation(violation.message)
            } catch {
                return protocolViolation("\(error)")
            }
            receive(packet)
        }
        if bytes.readableBytes > 0 { unread = bytes }
    }

    private func receive(_ packet: ClientPacket) {
        switch packet {
        case .startup(let packet):
            if overLimit, case .startup = packet {
                overLimit = false
                var action = SessionAction.init()
                action.toClient = [BackendMessage.fatal(SQLState.tooManyConnections, "sorry, too many clients already (max_client_connections)")]
                action.close = .now
                perform(action)
                return
            }
            let plan = runtime.plan
            let pools = runtime.pools
            let action = session.startupPacket(packet) { request in
                database = plan.databases[request.database]
                tenant = plan.users[request.user]?.tenant
                var policy = plan.policy(for: request)
                policy.welcomeParameters = database.flatMap { pools.welcomeParameters(for: $0) }
                return policy
            }
            perform(action)
        case .message(var frame):
            let routes = session.isReady && runtime.routing != nil && database.map { $0.routesReads } == true
            // Session pooling looks at statements only to route them.
            let pooled = session.isReady && (session.poolMode != .session || routes)
            var effects = pooled ? runtime.effects.effects(of: frame, routing: routes) : .none
            // Every message of a tenant's client is screened, including any it pipelines during login.
            // `SET bulkhead.route` alone is the proxy's own setting and never reaches a server.
            if let tenant, effects.routeOverride == nil {
                switch TenantScreen.screen(frame, tenant: tenant, gate: runtime.gate) {
                case .unchanged: break
                case .replaced(let approved): frame = approved
                case .refused(let refusal): effects.refusal = refusal
                }
            }
            perform(session.clientFrame(frame, effects: effects))
        }
    }

    /// Who this client is, for its log lines. Built per line, not kept: an idle client should not carry
    /// a logger of its own.
    private var logMetadata: Logger.Metadata {
        session.user.map { ["user": "\($0)"] } ?? [:]
    }

    /// Pinning costs the pool a connection for as long as the state lasts, so it is counted and logged, and so
    /// is its end. (Not once the client has gone: its count ends in `channelInactive`.)
    private func countPinning() {
        guard session.isReady, session.poolMode != .session, session.isPinned != countedPinned else { return }
        countedPinned = session.isPinned
        if countedPinned {
            runtime.clientPinned()
            runtime.logger.info("server connection pinned to its client while its session state lasts: \(session.pinReason ?? "session state")",
                                metadata: logMetadata)
        } else {
            // The client let go of what pinned its connection (UNLISTEN, an unlock, a DROP): it is pooled again.
            runtime.pinnedClientLeft()
            runtime.logger.info("server connection no longer pinned: the session state that pinned it is gone", metadata: logMetadata)
        }
    }

    /// Makes `channel` the attached server connection, paused at once if the client is not keeping up.
    private func attachServer(_ channel: any Channel) {
        serverChannel = channel
        if let context, !context.channel.isWritable {
            serverReadsPaused = true
            channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        }
    }

    /// Undoes the backpressure applied to a server connection that is let go or set aside.
    private func resumeServerReads(_ channel: any Channel) {
        guard serverReadsPaused else { return }
        serverReadsPaused = false
        channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushClient()
        flushServer()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is IdleStateHandler.IdleStateEvent else { return context.fireUserInboundEventTriggered(event) }
        let plan = runtime.plan
        let idle = Duration.nanoseconds((NIODeadline.now() - lastRead).nanoseconds)
        perform(session.clientIdle(for: idle, clientIdleTimeout: plan.clientIdleTimeout, transactionIdleTimeout: plan.idleTransactionTimeout))
    }

    /// Backpressure: while the client cannot keep up, stop reading from its server.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if let serverChannel {
            serverReadsPaused = !context.channel.isWritable
            serverChannel.setOption(ChannelOptions.autoRead, value: !serverReadsPaused).whenFailure { _ in }
        }
        context.fireChannelWritabilityChanged()
    }

    /// Backpressure: while the server cannot keep up (e.g. a large COPY FROM STDIN), stop reading from the client.
    func serverWritabilityChanged(_ writable: Bool, on server: Int) {
        eventLoop.execute {
            // A late report from a connection already given back must not pause a client that holds none, and
            // a connection set aside is not being written to.
            guard writable || self.serverChannel != nil, server != self.parkedServerID else { return }
            self.clientReadsPaused = !writable
            self.context?.channel.setOption(ChannelOptions.autoRead, value: writable).whenFailure { _ in }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        perform(session.clientClosed())
        routeGeneration += 1
        routeWait?.cancel()
        if let database { runtime.routing?.forget(consistencyKey(database), database: database.name) }
        runtime.cancels.remove(session.backendKey)
        if counted { counted = false; runtime.clientLeft() }
        if countedPinned { countedPinned = false; runtime.pinnedClientLeft() }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        runtime.logger.debug("client connection error: \(error)", metadata: logMetadata)
        context.close(promise: nil)
    }

    /// A malformed packet: say why with 08P01 and end this connection only.
    private func protocolViolation(_ message: String) {
        var action = session.clientClosed()
        action.toClient = [BackendMessage.fatal(SQLState.protocolViolation, message)]
        action.close = .now
        perform(action)
    }

    // MARK: From the pool and the server (on eventLoop)

    func serverLeased(_ link: consuming ServerLink, channel: any Channel) {
        if busy {
            leaseArrived = (link, channel)
            return
        }
        pendingRequest = nil
        rerouteAttempts = 0
        attachServer(channel)
        perform(session.serverLeased(consume link, onReplica: routedToReplica))
        flushClient()
        flushServer()
    }

    /// Runs `body` with synchronous lease deliveries held back, then delivers the one that arrived, if any.
    private func holdingLeases(_ body: () -> Void) {
        if busy { return body() }
        busy = true
        body()
        busy = false
        // Moved out of the tuple, so that the session holds the link's only reference once it has it.
        guard let channel = leaseArrived?.channel, let link = leaseArrived.take()?.link else { return }
        serverLeased(consume link, channel: channel)
    }

    func requestReplaced(_ request: RequestID) {
        pendingRequest = request
    }

    func serverUnavailable(_ message: String) {
        pendingRequest = nil
        endRoutedLease()
        // A read bound for a replica that could not be reached goes elsewhere: routing has taken that node out.
        if routedToReplica, rerouteAttempts < 3, let database {
            rerouteAttempts += 1
            return acquire(routedFacts, database: database, waitingSince: nil)
        }
        perform(session.serverUnavailable(message))
    }

    // The server calls in from its own loop; the hop's closure is built only when that is another loop.
    func serverFrames(_ frames: ByteBuffer, from server: Int) {
        guard eventLoop.inEventLoop else { return eventLoop.execute { self.serverFrames(frames, from: server) } }
        if server == parkedServerID {
            perform(session.homeFrames(frames))
        } else {
            perform(session.serverFrames(frames))
        }
    }

    func serverReadComplete() {
        guard eventLoop.inEventLoop else { return eventLoop.execute { self.serverReadComplete() } }
        flushClient()
        flushServer()
    }

    func serverClosed(_ server: Int) {
        eventLoop.runHereOrQueue {
            if server == self.parkedServerID {
                self.parkedChannel = nil
                self.parkedServerID = nil
                self.endHomeLease()
                self.perform(self.session.homeClosed())
            } else {
                self.serverChannel = nil
                self.perform(self.session.serverClosed())
            }
        }
    }

    /// Forwards a cancel to the server connection this client holds now, if any.
    func cancelCurrentQuery() {
        guard let target = session.cancelTarget else { return }
        runtime.pools.cancel(connection: target.connection, key: target.key)
    }

    // MARK: Carrying out actions

    /// `consuming`, and the release taken out of it: a connection handed straight on to the next client must have
    /// one owner, or that client's first change copies the link's whole storage.
    private func perform(_ action: consuming SessionAction) {
        var action = action
        holdingLeases { performNow(&action) }
    }

    private func performNow(_ action: inout SessionAction) {
        guard let context else { return }
        let releases = action.release != nil
        if !action.toServer.isEmpty { serverWrites += action.toServer }
        if let choice = action.routeOverride { routingSession.override = choice }
        if let lsn = action.learnedWriteLSN, let database {
            runtime.routing?.recordWrite(lsn, database: database.name, key: consistencyKey(database))
        }
        if let channel = serverChannel, let release = action.release.take() {
            flushServer()
            serverChannel = nil
            routingSession.transactionEnded()
            endRoutedLease()
            // Whatever backpressure either side applied ends with the lease.
            resumeServerReads(channel)
            if clientReadsPaused {
                clientReadsPaused = false
                context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
            }
            runtime.pools.release(release, channel: channel)
        }
        if let release = action.releaseHome, let channel = parkedChannel {
            parkedChannel = nil
            parkedServerID = nil
            endHomeLease()
            runtime.pools.release(release, channel: channel)
        }
        if action.parkHome, let channel = serverChannel {
            // Reads paused for backpressure resume: the connection has nothing in flight.
            resumeServerReads(channel)
            parkedChannel = channel
            parkedServerID = session.parkedHomeID
            serverChannel = nil
            homeNode = routedNode
            routedNode = nil
        }
        if action.cancelAcquire {
            routeGeneration += 1
            routeWait?.cancel()
            routeWait = nil
            if let request = pendingRequest {
                pendingRequest = nil
                runtime.pools.cancel(request)
                endRoutedLease()
            }
        }
        if action.acquireServer, let database {
            rerouteAttempts = 0
            acquire(action.routeFacts, database: database, waitingSince: nil)
        }
        if let key = action.cancel {
            runtime.cancels.lookup(key).map { target in target.eventLoop.execute { target.cancelCurrentQuery() } }
        }
        let channel = context.channel
        switch action.close {
        case nil:
            if clientPending.isEmpty { swap(&clientPending, &action.toClient) } else { clientPending += action.toClient }
            // A released server connection no longer reports the end of its read burst to this client.
            if releases { flushClient() }
        case .now?:
            for frame in Self.fewWrites(takeClientPending() + action.toClient) { context.write(wrapOutboundOut(frame), promise: nil) }
            context.writeAndFlush(wrapOutboundOut(ByteBuffer())).whenComplete { _ in channel.close(promise: nil) }
        case .afterAuthDelay?:
            // Every failed login answers after the same delay, so timing does not tell why it failed.
            let frames = Self.fewWrites(takeClientPending() + action.toClient)
            context.eventLoop.scheduleTask(in: runtime.authFailureDelay) {
                for frame in frames { channel.write(frame, promise: nil) }
                channel.writeAndFlush(ByteBuffer()).whenComplete { _ in channel.close(promise: nil) }
            }
        }
        countPinning()
        if action.resumeHome { resumeHome() }
    }

    /// Frames for one flush, joined into one buffer when there are many. NIO's queue of pending writes keeps
    /// the largest size it ever reached for the life of the channel, and every slot costs an idle client memory.
    static func fewWrites(_ frames: [ByteBuffer]) -> [ByteBuffer] {
        frames.count > 8 ? [frames.joined()] : frames
    }

    /// The client's own connection, set aside for a read, is attached again.
    private func resumeHome() {
        guard let channel = parkedChannel else { return }
        parkedChannel = nil
        parkedServerID = nil
        attachServer(channel)
        routedNode = homeNode
        routedToReplica = false
        homeNode = nil
        perform(session.homeResumed())
        // This may run from a timer or a lease's end, after the read that led here was flushed.
        flushClient()
        flushServer()
    }

    // MARK: Routing

    /// Asks the pool for a connection on the node routing picks for `facts`, or waits for one to be electable.
    private func acquire(_ facts: StatementFacts, database: DatabasePlan, waitingSince: ContinuousClock.Instant?) {
        holdingLeases { acquireNow(facts, database: database, waitingSince: waitingSince) }
    }

    private func acquireNow(_ facts: StatementFacts, database: DatabasePlan, waitingSince: ContinuousClock.Instant?) {
        // The configuration always has a node; a plan without one leaves nothing to connect to.
        guard let first = database.nodes.first else { return perform(session.serverUnavailable("bulkhead: no node configured")) }
        guard let routing = runtime.routing else {
            routedToReplica = false
            pendingRequest = runtime.pools.acquire(database: database, node: first, for: self)
            return
        }
        // A session-pooled client keeps its connection for good, and writes may come: it is the primary's.
        // Only reads that its own connection stepped aside for are routed.
        let facts = session.poolMode == .session && !session.hasParkedHome ? StatementFacts.write : facts
        routedFacts = facts
        let (decision, onReplica) = routing.route(facts, session: &routingSession, database: database, key: consistencyKey(database),
                                                  waitingSince: waitingSince, mayCheck: runtime.healthChecker != nil)
        switch decision.target {
        case .node(let node):
            routedNode = node
            if session.hasParkedHome, !onReplica {
                // The primary it is: the client's own connection takes the read, and no new lease is counted.
                endRoutedLease()
                return resumeHome()
            }
            routedToReplica = onReplica
            let address = database.nodes.indices.contains(node.rawValue) ? database.nodes[node.rawValue] : first
            pendingRequest = runtime.pools.acquire(database: database, node: address, for: self)
        case .wait(let until):
            // No primary now (a failover): try again shortly, until routing gives up at primary_wait_timeout.
            let since = waitingSince ?? .now
            let delay = min(max(until - .now, .milliseconds(1)), .milliseconds(50))
            routeWait = eventLoop.scheduleTask(in: .nanoseconds(Int64(delay.nanoseconds))) { [self] in
                routeWait = nil
                acquire(facts, database: database, waitingSince: since)
            }
        case .fail(let error):
            perform(session.routeFailed(sqlState: error.sqlState, message: "bulkhead: \(error)"))
            // This may run from a timer, after the read that queued the request was flushed.
            flushClient()
        case .checkReplica(let node, _):
            // No replica is known to have replayed this client's last write: ask one, then route again. A replica
            // that cannot answer leaves the read to the primary, which is always fresh.
            guard let checker = runtime.healthChecker else { return }
            let generation = routeGeneration
            checker.replayPosition(of: node.rawValue) { [self] lsn in
                if let lsn { routing.replayObserved(node, lsn: lsn) }
                eventLoop.execute { [self] in
                    guard routeGeneration == generation else { return }
                    var again = facts
                    if lsn == nil { again.forcesPrimary = true }
                    acquire(again, database: database, waitingSince: waitingSince)
                }
            }
        case .deferred:
            // Not produced for the proxy's policy: BEGIN is not held.
            perform(session.serverUnavailable("bulkhead: internal routing error"))
        }
    }

    /// The lease (or request) routed to a node ended: that node is one connection less busy.
    private func endRoutedLease() {
        guard let node = routedNode else { return }
        routedNode = nil
        runtime.routing?.leaseEnded(on: node)
    }

    /// The client's own connection, set aside, went back or away: its node is one connection less busy.
    private func endHomeLease() {
        guard let node = homeNode else { return }
        homeNode = nil
        runtime.routing?.leaseEnded(on: node)
    }

    /// Whose writes this client's reads must see.
    private func consistencyKey(_ database: DatabasePlan) -> ConsistencyKey {
        // The handler's address: unique among live clients, and free to compute (a hash is neither).
        database.routing.consistencyKey(session: Int(bitPattern: UInt(bitPattern: ObjectIdentifier(self))), tenant: tenant?.name)
    }

    /// Sends what was written to the client, if anything was.
    private func flushClient() {
        guard !clientPending.isEmpty, let context else { return }
        let frames = takeClientPending()
        if frames.count == 1 { return context.writeAndFlush(wrapOutboundOut(frames[0]), promise: nil) }
        for frame in Self.fewWrites(frames) { context.write(wrapOutboundOut(frame), promise: nil) }
        context.flush()
    }

    /// The frames waiting for a flush, leaving none: taken out first, as a write can close the channel and re-enter.
    private func takeClientPending() -> [ByteBuffer] {
        var taken: [ByteBuffer] = []
        swap(&taken, &clientPending)
        return taken
    }

    /// Writes what the session queued for the server in one go, hopping to the server's loop once if needed.
    private func flushServer() {
        guard !serverWrites.isEmpty, let channel = serverChannel else { return }
        // Taken out first: a failed write can close the server connection and re-enter this handler.
        var taken: [ByteBuffer] = []
        swap(&taken, &serverWrites)
        let writes = taken
        guard channel.eventLoop.inEventLoop else { return channel.eventLoop.execute { Self.send(writes, to: channel) } }
        Self.send(writes, to: channel)
    }

    private static func send(_ writes: [ByteBuffer], to channel: any Channel) {
        if writes.count == 1 { return channel.writeAndFlush(writes[0], promise: nil) }
        for buffer in writes { channel.write(buffer, promise: nil) }
        channel.flush()
    }
}

// Runs one client connection by feeding its ClientSession and carrying out the actions the session returns.

import BulkheadAuth
import BulkheadPool
import BulkheadSession
import BulkheadWire
import Logging
import NIOCore

/// The channel handler of one client connection. It makes no decisions: ``ClientSession`` does.
final class ClientHandler: ChannelInboundHandler, PoolClient, @unchecked Sendable {
    // @unchecked: all mutable state is touched only on `eventLoop`; the pool calls in through `eventLoop.execute`.
    typealias InboundIn = ClientPacket
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
    private var logger: Logger
    private var lastRead = NIODeadline.now()

    init(runtime: ProxyRuntime, eventLoop: any EventLoop, overLimit: Bool) {
        self.runtime = runtime
        self.eventLoop = eventLoop
        self.overLimit = overLimit
        self.logger = runtime.logger
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
        switch unwrapInboundIn(data) {
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
            if let user = session.user { logger[metadataKey: "user"] = "\(user)" }
            perform(action)
        case .message(var frame):
            var effects = session.poolMode == .session || !session.isReady ? .none : runtime.effects.effects(of: frame)
            // Every message of a tenant's client is screened, including any it pipelines during login.
            if let tenant {
                switch TenantScreen.screen(frame, tenant: tenant, gate: runtime.gate) {
                case .unchanged: break
                case .replaced(let approved): frame = approved
                case .refused(let refusal): effects.refusal = refusal
                }
            }
            perform(session.clientFrame(frame, effects: effects))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
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
        serverChannel?.setOption(ChannelOptions.autoRead, value: context.channel.isWritable).whenFailure { _ in }
        context.fireChannelWritabilityChanged()
    }

    /// Backpressure: while the server cannot keep up (e.g. a large COPY FROM STDIN), stop reading from the client.
    func serverWritabilityChanged(_ writable: Bool) {
        eventLoop.execute {
            self.context?.channel.setOption(ChannelOptions.autoRead, value: writable).whenFailure { _ in }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        perform(session.clientClosed())
        runtime.cancels.remove(session.backendKey)
        if counted { counted = false; runtime.clientLeft() }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let violation = error as? ProtocolViolation {
            // A malformed frame: say why with 08P01 and end this connection only.
            var action = session.clientClosed()
            action.toClient = [BackendMessage.fatal(SQLState.protocolViolation, violation.message)]
            action.close = .now
            perform(action)
            return
        }
        logger.debug("client connection error: \(error)")
        context.close(promise: nil)
    }

    // MARK: From the pool and the server (on eventLoop)

    func serverLeased(_ link: ServerLink, channel: any Channel) {
        pendingRequest = nil
        serverChannel = channel
        if let context, !context.channel.isWritable {
            channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        }
        perform(session.serverLeased(link))
        context?.flush()
        flushServer()
    }

    func requestReplaced(_ request: RequestID) {
        pendingRequest = request
    }

    func serverUnavailable(_ message: String) {
        pendingRequest = nil
        perform(session.serverUnavailable(message))
    }

    func serverFrame(_ frame: Frame) {
        if eventLoop.inEventLoop {
            perform(session.serverFrame(frame))
        } else {
            eventLoop.execute { self.perform(self.session.serverFrame(frame)) }
        }
    }

    func serverReadComplete() {
        if eventLoop.inEventLoop {
            context?.flush()
            flushServer()
        } else {
            eventLoop.execute { self.context?.flush(); self.flushServer() }
        }
    }

    func serverClosed() {
        if eventLoop.inEventLoop {
            serverChannel = nil
            perform(session.serverClosed())
        } else {
            eventLoop.execute { self.serverChannel = nil; self.perform(self.session.serverClosed()) }
        }
    }

    /// Forwards a cancel to the server connection this client holds now, if any.
    func cancelCurrentQuery() {
        guard let target = session.cancelTarget else { return }
        runtime.pools.cancel(connection: target.connection, key: target.key)
    }

    // MARK: Carrying out actions

    private func perform(_ action: SessionAction) {
        guard let context else { return }
        if !action.toServer.isEmpty { serverWrites += action.toServer }
        if let release = action.release, let channel = serverChannel {
            flushServer()
            serverChannel = nil
            // Whatever backpressure this client applied ends with the lease.
            context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
            runtime.pools.release(release, channel: channel)
        }
        if action.cancelAcquire, let request = pendingRequest {
            pendingRequest = nil
            runtime.pools.cancel(request)
        }
        if action.acquireServer, let database {
            pendingRequest = runtime.pools.acquire(database: database, for: self)
        }
        if let key = action.cancel {
            runtime.cancels.lookup(key).map { target in target.eventLoop.execute { target.cancelCurrentQuery() } }
        }
        let channel = context.channel
        switch action.close {
        case nil:
            for frame in action.toClient { context.write(wrapOutboundOut(frame), promise: nil) }
        case .now?:
            for frame in action.toClient { context.write(wrapOutboundOut(frame), promise: nil) }
            context.writeAndFlush(wrapOutboundOut(ByteBuffer())).whenComplete { _ in channel.close(promise: nil) }
        case .afterAuthDelay?:
            // Every failed login answers after the same delay, so timing does not tell why it failed.
            let frames = action.toClient
            context.eventLoop.scheduleTask(in: runtime.authFailureDelay) {
                for frame in frames { channel.write(frame, promise: nil) }
                channel.writeAndFlush(ByteBuffer()).whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }

    /// Writes what the session queued for the server in one go, hopping to the server's loop once if needed.
    private func flushServer() {
        guard !serverWrites.isEmpty, let channel = serverChannel else { return }
        let writes = serverWrites
        serverWrites.removeAll(keepingCapacity: true)
        if channel.eventLoop.inEventLoop {
            for buffer in writes { channel.write(buffer, promise: nil) }
            channel.flush()
        } else {
            channel.eventLoop.execute {
                for buffer in writes { channel.write(buffer, promise: nil) }
                channel.flush()
            }
        }
    }
}

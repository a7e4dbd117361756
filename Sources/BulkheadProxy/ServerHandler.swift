// Runs one server connection: logs it in, then passes its frames to whoever holds it, or runs its reset.

import BulkheadSession
import BulkheadWire
import Logging
import NIOCore

/// Receives what a server connection sends, for the client session holding it.
protocol ServerFrameSink: AnyObject, Sendable {
    // `server` is the connection's pool ID: a session-pooled client may hold two connections at once.
    /// Whole frames, in order (as ``FrameBatcher`` cuts them). Called on the server connection's event loop.
    func serverFrames(_ frames: ByteBuffer, from server: Int)
    /// The server's read burst ended: a good time to flush.
    func serverReadComplete()
    func serverClosed(_ server: Int)
    /// The server connection's writability changed (called on the server's event loop).
    func serverWritabilityChanged(_ writable: Bool, on server: Int)
}

/// The channel handler of one server connection.
///
/// It logs in with ``ServerLogin``; afterwards it does no protocol work of its own except while resetting
/// a connection that came back from a client. Everything else goes to the attached ``ServerFrameSink``.
final class ServerHandler: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: all mutable state is touched only on the channel's event loop.
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum State {
        case loggingIn(ServerLogin)
        case idle
        case attached(any ServerFrameSink)
        /// Running the proxy's own statements (a reset or a health check) on an unattached connection.
        case runningInternal(ServerLink, (Result<ServerLink, any Error>) -> Void)
        case closed
    }

    struct ResetFailed: Error, CustomStringConvertible { var description: String }

    let id: Int
    private var state: State
    private let onLogin: (Result<(BackendKey?, ParameterSet), ResetFailed>) -> Void
    private let onClose: () -> Void
    private var context: ChannelHandlerContext?
    private let logger: Logger
    /// Cuts the byte stream into whole frames: a client gets each read's frames in one piece.
    private var batcher: FrameBatcher
    /// Reports of a login or internal statement that finished in the read being processed.
    private var afterRead: [() -> Void] = []

    init(id: Int, login: ServerLogin, logger: Logger, maxMessageLength: Int,
         onLogin: @escaping (Result<(BackendKey?, ParameterSet), ResetFailed>) -> Void, onClose: @escaping () -> Void) {
        self.id = id
        self.state = .loggingIn(login)
        self.onLogin = onLogin
        self.onClose = onClose
        self.logger = logger
        self.batcher = FrameBatcher(maxMessageLength: maxMessageLength)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelActive(context: ChannelHandlerContext) {
        guard case .loggingIn(var login) = state else { return }
        let startup = login.start()
        state = .loggingIn(login)
        context.writeAndFlush(wrapOutboundOut(startup), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frames: ByteBuffer
        do {
            guard let complete = try batcher.append(unwrapInboundIn(data)) else { return }
            frames = complete
        } catch {
            logger.debug("server connection broke the protocol: \(error.message)", metadata: ["server": "\(id)"])
            context.close(promise: nil)
            return
        }
        if case .attached(let sink) = state { return sink.serverFrames(frames, from: id) }
        var rest = frames
        while let frame = Frame.next(in: &rest) {
            receiveUnattached(frame, context: context)
        }
        // A login or internal statement that succeeded in this read reports only now: the pool may hand the
        // connection to a client at once, and what followed in the read (a FATAL, say) was sent before that
        // client's first byte, so it must be dealt with here, not passed to the client as its answer.
        // (Failures report at once: they never hand the connection on.)
        let finished = afterRead
        afterRead.removeAll()
        for report in finished { report() }
    }

    /// One frame while no client holds the connection: login, the proxy's own statements, or idle.
    private func receiveUnattached(_ frame: Frame, context: ChannelHandlerContext) {
        switch state {
        case .attached(let sink):
            sink.serverFrames(frame.raw, from: id)
        case .loggingIn(var login):
            let action = login.receive(frame)
            state = .loggingIn(login)
            switch action {
            case .send(let buffer): context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
            case .wait: break
            case .done(let key, let parameters):
                state = .idle
                afterRead.append { self.onLogin(.success((key, parameters))) }
            case .failed(let reason):
                state = .closed
                onLogin(.failure(ResetFailed(description: reason)))
                context.close(promise: nil)
            }
        case .runningInternal(var link, let completion):
            switch link.receive(frame) {
            case .internalDone(_, let error?):
                state = .closed
                completion(.failure(ResetFailed(description: "internal statement failed: \(error.message ?? "?")")))
            case .internalDone:
                if link.isQuiet {
                    state = .idle
                    afterRead.append { completion(.success(link)) }
                } else {
                    state = .runningInternal(link, completion)
                }
            case .violation(let reason):
                state = .closed
                completion(.failure(ResetFailed(description: reason)))
            case .forward, .forwardReady, .forwardInstead, .swallow:
                state = .runningInternal(link, completion)
            }
        case .idle:
            // An idle connection may hear ParameterStatus or a notice; anything else (a FATAL shutdown) ends it.
            if frame.type != MessageType.Backend.parameterStatus && frame.type != MessageType.Backend.noticeResponse {
                logger.debug("idle server connection received '\(Unicode.Scalar(frame.type))'; closing it", metadata: ["server": "\(id)"])
                context.close(promise: nil)
            }
        case .closed:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if case .attached(let sink) = state { sink.serverReadComplete() }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if case .attached(let sink) = state { sink.serverWritabilityChanged(context.channel.isWritable, on: id) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        let previous = state
        state = .closed
        switch previous {
        case .attached(let sink): sink.serverClosed(id)
        case .loggingIn: onLogin(.failure(ResetFailed(description: "server closed the connection during login")))
        case .runningInternal(_, let completion):
            completion(.failure(ResetFailed(description: "server closed the connection during a reset or health check")))
        case .idle, .closed: break
        }
        onClose()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("server connection error: \(error)", metadata: ["server": "\(id)"])
        context.close(promise: nil)
    }

    // MARK: Called on the event loop by the pool

    /// Hands the connection's frames to `sink`. False when the connection died since the pool chose it.
    func attach(_ sink: any ServerFrameSink) -> Bool {
        guard case .idle = state else { return false }
        state = .attached(sink)
        return true
    }

    /// The client let go. (A client that paused this connection's reads for backpressure resumes them first.)
    func detach() {
        if case .attached = state { state = .idle }
    }

    /// Runs the reset on a connection a client gave back; `completion` gets the clean link, or an error.
    func reset(_ link: ServerLink, resetQuery: String, completion: @escaping (Result<ServerLink, any Error>) -> Void) {
        var link = link
        let frames = link.resetFrames(resetQuery: resetQuery)
        runInternal(frames, link: link, completion: completion)
    }

    /// Checks that a connection idle for a while still answers (an empty query), before a client gets it.
    func check(_ link: ServerLink, completion: @escaping (Result<ServerLink, any Error>) -> Void) {
        var link = link
        let frame = link.internalQuery(";", owner: .healthCheck)
        runInternal([frame], link: link, completion: completion)
    }

    /// Runs a query of the proxy's own and captures the first row's columns under `columns`.
    func query(_ sql: String, columns: [String], on link: ServerLink,
               completion: @escaping (Result<(ServerLink, [String: String?]), any Error>) -> Void) {
        var link = link
        let frame = link.internalQuery(sql, owner: .capture(columns))
        runInternal([frame], link: link) { result in
            completion(result.map { link in
                var link = link
                let row = link.takeCaptured()
                return (link, row)
            })
        }
    }

    private func runInternal(_ frames: [ByteBuffer], link: ServerLink, completion: @escaping (Result<ServerLink, any Error>) -> Void) {
        guard let context, !frames.isEmpty else { completion(.success(link)); return }
        switch state {
        case .idle, .attached:
            state = .runningInternal(link, completion)
            for frame in frames { context.write(wrapOutboundOut(frame), promise: nil) }
            context.flush()
        case .loggingIn, .runningInternal, .closed:
            completion(.failure(ResetFailed(description: "connection not in a state to run internal statements")))
        }
    }
}

// The life of one client connection: startup, authentication, and the traffic between it and the server connection it holds.

import BulkheadWire
import NIOCore

/// One client's session as a pure state machine.
///
/// The channel handler feeds it what arrives from the client and from the attached server, and carries
/// out the returned ``SessionAction``. The session never performs I/O, so every path, including every
/// refusal, is unit-testable. A server connection is attached as a ``ServerLink`` value that moves in
/// from the pool and back out on release, carrying its protocol position and parameters with it.
public struct ClientSession: Sendable {
    /// Knobs the session needs from the configuration.
    public struct Settings: Sendable {
        public var poolModeDefault: PoolMode
        public var resetQuery: String
        /// Bytes a client may pipeline while it waits for a server connection.
        public var maxQueuedBytes: Int

        public init(poolModeDefault: PoolMode = .session, resetQuery: String = "DISCARD ALL", maxQueuedBytes: Int = 64 << 20) {
            self.poolModeDefault = poolModeDefault
            self.resetQuery = resetQuery
            self.maxQueuedBytes = maxQueuedBytes
        }
    }

    enum State: Sendable {
        case awaitingStartup
        case authenticating(ClientAuthentication)
        /// Authenticated; the first server connection is on its way.
        case awaitingServer
        /// The client's startup parameters are being applied on the first server connection.
        case syncingLogin
        case ready
        /// An error was sent or the client left; nothing more is processed.
        case finished
    }

    /// Reported parameters a client can never set, so they are never carried from one connection to the next.
    static let serverOwnedParameters: Set<String> = [
        "server_version", "server_encoding", "integer_datetimes", "is_superuser", "session_authorization", "in_hot_standby",
    ]

    private var state: State = .awaitingStartup
    private let settings: Settings
    private let randomness: SessionRandomness
    /// The key this client was given; never the server's.
    public let backendKey: BackendKey
    public private(set) var user: String?
    public private(set) var database: String?
    public private(set) var poolMode: PoolMode
    /// The server connection held now, if any.
    public private(set) var link: ServerLink?
    private var acquiring = false
    private var queued: [Frame] = []
    private var queuedBytes = 0
    /// Settings the client expects on whatever server connection serves it.
    public private(set) var wanted = ParameterSet()
    public private(set) var transactionStatus: TransactionStatus = .idle

    public init(backendKey: BackendKey, randomness: SessionRandomness, settings: Settings) {
        self.backendKey = backendKey
        self.randomness = randomness
        self.settings = settings
        self.poolMode = settings.poolModeDefault
    }

    /// True once the client has logged in and until it leaves.
    public var isReady: Bool { if case .ready = state { return true } else { return false } }

    /// The server cancel key of the connection the client holds now.
    public var cancelTarget: (connection: Int, key: BackendKey)? {
        guard let link, let key = link.backendKey else { return nil }
        return (link.id, key)
    }

    // MARK: Startup and authentication

    /// The client's first packet(s). `resolve` looks the user and database up in the configuration.
    public mutating func startupPacket(_ packet: StartupPacket, resolve: (StartupCheck.Request) -> LoginPolicy) -> SessionAction {
        guard case .awaitingStartup = state else { return violation("unexpected startup packet") }
        switch packet {
        case .sslRequest, .gssEncRequest:
            // Encryption is declined; the client may continue in plaintext.
            return .sendingToClient(ByteBuffer(bytes: [UInt8(ascii: "N")]))
        case .cancel(let request):
            state = .finished
            var action = SessionAction()
            action.cancel = BackendKey(processID: request.processID, secretKey: request.secretKey)
            action.close = .now
            return action
        case .startup(let startup):
            return begin(startup, resolve: resolve)
        }
    }

    private mutating func begin(_ startup: StartupMessage, resolve: (StartupCheck.Request) -> LoginPolicy) -> SessionAction {
        var action = SessionAction()
        let unknownOptions = startup.parameters.map(\.name).filter { $0.hasPrefix("_pq_.") }
        if startup.protocolVersion & 0xFFFF != 0 || !unknownOptions.isEmpty {
            action.toClient.append(BackendMessage.negotiateProtocolVersion(newestMinor: 196_608, unrecognizedOptions: unknownOptions).encoded)
        }
        let request: StartupCheck.Request
        switch StartupCheck.check(startup) {
        case .success(let checked): request = checked
        case .failure(let refusal): return fail(refusal.sqlState, refusal.message, appendingTo: action)
        }
        user = request.user
        database = request.database
        wanted = request.parameters
        let policy = resolve(request)
        poolMode = policy.poolMode
        guard let (auth, challenge) = ClientAuthentication.begin(user: request.user, policy: policy, randomness: randomness) else {
            return authenticated(policy: policy, extra: [], appendingTo: action)
        }
        state = .authenticating(auth)
        action.toClient.append(challenge)
        return action
    }

    private mutating func authenticated(policy: LoginPolicy, extra: [ByteBuffer], appendingTo action: SessionAction) -> SessionAction {
        var action = action
        guard policy.databaseKnown else {
            state = .finished
            action.toClient = [BackendMessage.fatal(SQLState.invalidCatalogName, "database \"\(database ?? "")\" does not exist")]
            action.close = .afterAuthDelay
            return action
        }
        if let refusal = policy.refusal {
            state = .finished
            action.toClient = [BackendMessage.fatal(refusal.sqlState, refusal.message)]
            action.close = .now
            return action
        }
        action.toClient += extra
        action.toClient.append(BackendMessage.authentication(.ok).encoded)
        state = .awaitingServer
        acquiring = true
        action.acquireServer = true
        return action
    }

    // MARK: Client traffic

    /// A typed message from the client.
    public mutating func clientFrame(_ frame: Frame) -> SessionAction {
        switch state {
        case .awaitingStartup:
            return violation("expected a startup packet")
        case .authenticating(var auth):
            guard frame.type == MessageType.Frontend.authenticationResponse, let kind = auth.expectedResponse else {
                return violation("expected a password message during authentication")
            }
            let message: FrontendMessage
            do { message = try FrontendMessage.decode(frame, authentication: kind) } catch { return violation(error.message) }
            let outcome = auth.receive(message)
            state = .authenticating(auth)
            switch outcome {
            case .challenge(let challenge):
                return .sendingToClient(challenge)
            case .succeeded(let extra):
                return authenticated(policy: auth.policy, extra: extra, appendingTo: SessionAction())
            case .failed:
                state = .finished
                var action = SessionAction.sendingToClient(
                    BackendMessage.fatal(SQLState.invalidPassword, "password authentication failed for user \"\(auth.user)\""))
                action.close = .afterAuthDelay
                return action
            case .violation(let text):
                return violation(text)
            }
        case .awaitingServer, .syncingLogin, .ready:
            return clientMessage(frame)
        case .finished:
            return SessionAction()
        }
    }

    private mutating func clientMessage(_ frame: Frame) -> SessionAction {
        switch frame.type {
        case MessageType.Frontend.terminate:
            return leave()
        case MessageType.Frontend.query, MessageType.Frontend.parse, MessageType.Frontend.bind,
             MessageType.Frontend.describe, MessageType.Frontend.execute, MessageType.Frontend.close,
             MessageType.Frontend.sync, MessageType.Frontend.flush, MessageType.Frontend.functionCall,
             MessageType.Frontend.copyData, MessageType.Frontend.copyDone, MessageType.Frontend.copyFail:
            return forward(frame)
        default:
            return violation("unexpected message type '\(Unicode.Scalar(frame.type))' from client")
        }
    }

    private mutating func forward(_ frame: Frame) -> SessionAction {
        var action = SessionAction()
        if case .ready = state, queued.isEmpty, var link = link {
            link.noteClientFrame(type: frame.type)
            self.link = link
            action.toServer.append(frame.raw)
            return action
        }
        queuedBytes += frame.raw.readableBytes
        guard queuedBytes <= settings.maxQueuedBytes else {
            return fail("54000", "too much data sent while waiting for a server connection", appendingTo: action, releasing: true)
        }
        queued.append(frame)
        if link == nil, !acquiring {
            acquiring = true
            action.acquireServer = true
        }
        return action
    }

    /// The client said Terminate or its connection closed.
    public mutating func clientClosed() -> SessionAction { leave() }

    private mutating func leave() -> SessionAction {
        var action = SessionAction()
        if case .finished = state { return action }
        state = .finished
        action.close = .now
        detach(into: &action)
        return action
    }

    // MARK: Server traffic

    /// The pool handed over a server connection.
    public mutating func serverLeased(_ link: ServerLink) -> SessionAction {
        acquiring = false
        var link = link
        var action = SessionAction()
        switch state {
        case .awaitingServer:
            if let sql = ParameterSync.statement(wanted: wanted, link: link) {
                action.toServer.append(link.internalQuery(sql, owner: .loginSync))
                link.parameters = ParameterSync.applied(wanted: wanted, link: link)
                state = .syncingLogin
                self.link = link
                return action
            }
            self.link = link
            return finishLogin()
        case .ready:
            if let sql = ParameterSync.statement(wanted: wanted, link: link) {
                action.toServer.append(link.internalQuery(sql, owner: .parameterSync))
                link.parameters = ParameterSync.applied(wanted: wanted, link: link)
            }
            for frame in queued {
                link.noteClientFrame(type: frame.type)
                action.toServer.append(frame.raw)
            }
            queued.removeAll()
            queuedBytes = 0
            self.link = link
            return action
        case .awaitingStartup, .authenticating, .syncingLogin, .finished:
            // Nobody wants it any more: give it straight back.
            action.release = ServerRelease(link: link, disposition: .reuse)
            return action
        }
    }

    /// The pool could not provide a server connection.
    public mutating func serverUnavailable(_ message: String) -> SessionAction {
        acquiring = false
        if case .finished = state { return SessionAction() }
        return fail(SQLState.connectionException, message, appendingTo: SessionAction())
    }

    private mutating func finishLogin() -> SessionAction {
        var action = SessionAction()
        guard var link else { return action }
        // The client's view of its settings is what the server reported, so equal values compare equal later.
        for parameter in wanted.sorted { if let reported = link.parameters[parameter.name] { wanted[parameter.name] = reported } }
        for parameter in link.initialParameters.sorted {
            let value = link.parameters[parameter.name] ?? parameter.value
            action.toClient.append(BackendMessage.parameterStatus(name: parameter.name, value: value).encoded)
        }
        action.toClient.append(BackendMessage.backendKeyData(processID: backendKey.processID, secretKey: backendKey.secretKey).encoded)
        action.toClient.append(BackendMessage.readyForQuery(.idle).encoded)
        state = .ready
        // Anything the client pipelined during login goes out now, behind nothing.
        for frame in queued {
            link.noteClientFrame(type: frame.type)
            action.toServer.append(frame.raw)
        }
        queued.removeAll()
        queuedBytes = 0
        self.link = link
        releaseIfDone(into: &action)
        return action
    }

    /// A frame from the attached server connection.
    public mutating func serverFrame(_ frame: Frame) -> SessionAction {
        guard var link else { return SessionAction() }
        let disposition = link.receive(frame)
        self.link = link
        var action = SessionAction()
        switch (state, disposition) {
        case (.syncingLogin, .internalDone(.loginSync, let error)):
            if let error {
                return fail(error.sqlState ?? SQLState.connectionException, error.message ?? "could not apply startup parameters",
                            appendingTo: action, releasing: true)
            }
            return finishLogin()
        case (.syncingLogin, .swallow), (.syncingLogin, .forward), (.syncingLogin, .internalDone):
            return action
        case (_, .violation(let text)):
            self.link = nil
            link.taint()
            action.release = ServerRelease(link: link, disposition: .close)
            return fail(SQLState.connectionFailure, "server connection broke the protocol: \(text)", appendingTo: action)
        case (.ready, .forward):
            if frame.type == MessageType.Backend.parameterStatus { noteReported(frame) }
            action.toClient.append(frame.raw)
            return action
        case (.ready, .forwardReady(let status)):
            transactionStatus = status
            action.toClient.append(frame.raw)
            if poolMode == .statement, status != .idle {
                return fail(SQLState.featureNotSupported, "transaction blocks are not allowed in statement pooling mode",
                            appendingTo: action, releasing: true)
            }
            releaseIfDone(into: &action)
            return action
        case (.ready, .swallow):
            return action
        case (.ready, .internalDone(_, let error)):
            if error != nil { link.taint(); self.link = link }
            releaseIfDone(into: &action)
            return action
        case (.awaitingStartup, _), (.authenticating, _), (.awaitingServer, _), (.syncingLogin, _), (.finished, _):
            return action
        }
    }

    /// The attached server connection closed on its own.
    public mutating func serverClosed() -> SessionAction {
        guard let link else { return SessionAction() }
        self.link = nil
        switch state {
        case .ready where poolMode != .session && link.isIdle:
            return SessionAction()
        case .finished:
            return SessionAction()
        case .awaitingStartup, .authenticating, .awaitingServer, .syncingLogin, .ready:
            return fail(SQLState.connectionFailure, "server closed the connection unexpectedly", appendingTo: SessionAction())
        }
    }

    // MARK: Timeouts

    /// The client has sent nothing for `idle`. Ends the session when a configured limit applies:
    /// `idle_transaction_timeout` inside a transaction (it holds a server connection), `client_idle_timeout` outside.
    public mutating func clientIdle(for idle: Duration, clientIdleTimeout: Duration?, transactionIdleTimeout: Duration?) -> SessionAction {
        guard case .ready = state, !(link?.clientRequestPending ?? false) else { return SessionAction() }
        if transactionStatus != .idle {
            guard let limit = transactionIdleTimeout, idle >= limit else { return SessionAction() }
            return fail(SQLState.idleInTransactionTimeout, "bulkhead: terminating connection due to idle_transaction_timeout", appendingTo: SessionAction())
        }
        guard let limit = clientIdleTimeout, idle >= limit else { return SessionAction() }
        return fail(SQLState.idleSessionTimeout, "bulkhead: terminating connection due to client_idle_timeout", appendingTo: SessionAction())
    }

    // MARK: Helpers

    /// Remembers settings the client changed itself, as the server reported them.
    private mutating func noteReported(_ frame: Frame) {
        guard case .parameterStatus(let name, let value)? = try? BackendMessage.decode(frame),
              !Self.serverOwnedParameters.contains(name.lowercased()) else { return }
        wanted[name] = value
    }

    /// In transaction and statement modes the connection goes back as soon as nothing is pending.
    private mutating func releaseIfDone(into action: inout SessionAction) {
        guard poolMode != .session, let link, link.isIdle, queued.isEmpty else { return }
        self.link = nil
        action.release = ServerRelease(link: link, disposition: link.isTainted ? .close : .reuse)
    }

    /// Gives the server connection back in whatever state the client left it.
    private mutating func detach(into action: inout SessionAction) {
        if acquiring {
            acquiring = false
            action.cancelAcquire = true
        }
        queued.removeAll()
        guard let link else { return }
        self.link = nil
        let disposition: ReleaseDisposition
        if link.isTainted || link.resetPending || !link.isQuiet {
            // A request is in flight: closing is the only way to be sure the server forgets it.
            disposition = .close
        } else if poolMode == .session || link.status != .idle {
            disposition = .reset
        } else {
            disposition = .reuse
        }
        action.release = ServerRelease(link: link, disposition: disposition)
    }

    private mutating func fail(_ sqlState: String, _ message: String, appendingTo action: SessionAction, releasing: Bool = true) -> SessionAction {
        var action = action
        state = .finished
        action.toClient.append(BackendMessage.fatal(sqlState, message))
        action.close = .now
        if releasing { detach(into: &action) }
        return action
    }

    private mutating func violation(_ message: String) -> SessionAction {
        fail(SQLState.protocolViolation, message, appendingTo: SessionAction())
    }
}

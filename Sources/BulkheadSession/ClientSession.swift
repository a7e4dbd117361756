// The life of one client connection: startup, authentication, and the traffic between it and the server connection it holds.

import BulkheadRouting
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
        /// Statements the proxy keeps prepared per server connection under transaction pooling.
        public var maxPreparedStatements: Int
        /// Under transaction pooling, refuse statements that create session state instead of pinning the connection.
        public var rejectSessionFeatures: Bool
        /// Shared by every session of a proxy: statements known to prepare cleanly (nil: learn nothing).
        public var knownStatements: PreparedStatementRegistry?
        /// Shared by every session of a proxy: one instance per distinct set of client settings (nil: unshared).
        public var parameterSets: ParameterSetInterner?

        public init(poolModeDefault: PoolMode = .session, resetQuery: String = "DISCARD ALL", maxQueuedBytes: Int = 64 << 20,
                    maxPreparedStatements: Int = 200, rejectSessionFeatures: Bool = false,
                    knownStatements: PreparedStatementRegistry? = nil, parameterSets: ParameterSetInterner? = nil) {
            self.poolModeDefault = poolModeDefault
            self.resetQuery = resetQuery
            self.maxQueuedBytes = maxQueuedBytes
            self.maxPreparedStatements = maxPreparedStatements
            self.rejectSessionFeatures = rejectSessionFeatures
            self.knownStatements = knownStatements
            self.parameterSets = parameterSets
        }
    }

    enum State: Sendable {
        case awaitingStartup
        /// Indirect: the exchange's state is large and lives only during login, not in every idle session.
        indirect case authenticating(ClientAuthentication)
        /// Authenticated; the first server connection is on its way.
        case awaitingServer
        /// The client's startup parameters are being applied on the first server connection.
        case syncingLogin
        case ready
        /// An error was sent or the client left; nothing more is processed.
        case finished
    }

    /// Reported parameters a client can never set, so they are never carried from one connection to the next.
    /// (An array: six short names compare faster than they hash.)
    static let serverOwnedParameters: [String] = [
        "server_version", "server_encoding", "integer_datetimes", "is_superuser", "session_authorization", "in_hot_standby",
    ].map(ParameterSet.canonical)

    /// Counts the session state that pins a connection: LISTEN channels, session advisory locks, holdable
    /// cursors, SQL-level prepared statements and temporary relations. Encoded once; it runs only for pinned clients.
    static let pinCheckQuery = FrontendMessage.query("""
        SELECT (SELECT count(*) FROM pg_catalog.pg_listening_channels()) \
        + (SELECT count(*) FROM pg_catalog.pg_locks WHERE locktype = 'advisory' AND pid = pg_catalog.pg_backend_pid()) \
        + (SELECT count(*) FROM pg_catalog.pg_cursors WHERE is_holdable) \
        + (SELECT count(*) FROM pg_catalog.pg_prepared_statements WHERE from_sql) \
        + (SELECT count(*) FROM pg_catalog.pg_class WHERE relnamespace = pg_catalog.pg_my_temp_schema())
        """).encodedFrame

    private var state: State = .awaitingStartup
    private let settings: Settings
    /// Salts and nonces for the login; dropped once the login has begun, so an idle session does not keep them.
    private var randomness: SessionRandomness?
    /// The key this client was given; never the server's.
    public let backendKey: BackendKey
    public private(set) var user: String?
    public private(set) var database: String?
    public private(set) var poolMode: PoolMode
    /// The server connection held now, if any.
    public internal(set) var link: ServerLink?
    var acquiring = false
    var queued: [(frame: Frame, effects: StatementEffects)] = []
    private var queuedBytes = 0
    /// Settings the client expects on whatever server connection serves it. Shared with every session that
    /// wants the same (see ``ParameterSetInterner``), so a checkout usually compares them by identity.
    public private(set) var wanted = ParameterSet() {
        didSet { if let interner = settings.parameterSets { wanted = interner.intern(wanted) } }
    }
    /// What the client asked for at startup: what RESET ALL returns to.
    private var startupParameters = ParameterSet()
    public private(set) var transactionStatus: TransactionStatus = .idle
    /// Under transaction pooling: the client's prepared statements, by the client's name, as prepared on
    /// servers, with where routing sends them.
    var statements: [String: ClientStatement] = [:]
    /// Settings the client changed that must be read back from the server before its connection goes.
    var dirtySettings: Set<String> = []
    /// The client created session state, so it keeps its server connection until it leaves.
    public private(set) var isPinned = false
    /// What pinned it first (for example "a temporary table"), for the log and the stats.
    public private(set) var pinReason: String?
    /// The pinning state may have ended (or was just created, possibly by a statement that failed): at the
    /// next ReadyForQuery `I` the server is asked what is left, and a pin with nothing left is lifted.
    private var pinCheckDue = false
    /// Pinned by something the check cannot see (SET SESSION CHARACTERISTICS): until the client leaves.
    private var pinnedForGood = false
    /// A message was refused locally: drop the client's messages until its Sync, as the server would.
    private var skippingUntilSync = false
    /// Every message since the last Sync was answered without a server: so is the next Sync.
    private var answeredSinceSync = false
    /// The current extended-protocol exchange, kept for one retry after an invalidated plan.
    var planRetry = PlanRetry()
    /// This client created the unnamed statement on the connection it holds. Without it, a Bind or Describe of
    /// the unnamed statement would reach one another client left there, since a Sync does not drop it.
    var ownsUnnamedStatement = false
    /// Settings the proxy owns for this client; they win over anything the client asked for.
    private var forced = ParameterSet()
    private var statementNamespace = ""
    /// Read/write routing: replica leases and read-your-writes.
    var routing = SessionRouting()
    /// Session pooling with routing: the client's own server connection, set aside while a read runs on a
    /// replica lease. It stays this client's, with everything the session created on it.
    var parkedHome: ServerLink?

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
        startupParameters = request.parameters
        let policy = resolve(request)
        poolMode = policy.poolMode
        forced = policy.forcedParameters
        statementNamespace = policy.statementNamespace
        routing.routesReads = policy.routesReads
        routing.tracksWrites = policy.tracksWrites
        wanted = wanted.merging(forced)
        startupParameters = wanted
        // Fail closed: without its salts a login must not go on (it cannot happen: a session begins once).
        guard let randomness = self.randomness else { return fail(SQLState.protocolViolation, "unexpected startup packet", appendingTo: action) }
        self.randomness = nil
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
        if let welcome = policy.welcomeParameters {
            // Parameters the client asked for at startup are applied when it first holds a server connection.
            var reported = welcome
            for parameter in wanted.sorted where welcome[parameter.name] != nil { reported[parameter.name] = parameter.value }
            action.toClient.append(loginCompletion(reported: reported))
            state = .ready
            return action
        }
        state = .awaitingServer
        acquiring = true
        action.acquireServer = true
        return action
    }

    /// ParameterStatus for every reported parameter, the proxy's BackendKeyData, and ReadyForQuery.
    ///
    /// One buffer, written once: NIO's queue of pending writes grows to fit the most writes a channel ever had
    /// in flight and never shrinks, so fifteen separate frames here would cost every idle client a kilobyte.
    private func loginCompletion(reported: ParameterSet) -> ByteBuffer {
        var frames = reported.sorted.map { BackendMessage.parameterStatus(name: $0.name, value: $0.value).encoded }
        frames.append(BackendMessage.backendKeyData(processID: backendKey.processID, secretKey: backendKey.secretKey).encoded)
        frames.append(BackendMessage.readyForQuery(.idle).encoded)
        return frames.joined()
    }

    // MARK: Client traffic

    /// A typed message from the client, with what the parser found in it (Query and Parse messages).
    public mutating func clientFrame(_ frame: Frame, effects: StatementEffects = .none) -> SessionAction {
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
            return clientMessage(frame, effects: effects)
        case .finished:
            return SessionAction()
        }
    }

    private mutating func clientMessage(_ frame: Frame, effects: StatementEffects) -> SessionAction {
        switch frame.type {
        case MessageType.Frontend.terminate:
            return leave()
        case MessageType.Frontend.query, MessageType.Frontend.parse, MessageType.Frontend.bind,
             MessageType.Frontend.describe, MessageType.Frontend.execute, MessageType.Frontend.close,
             MessageType.Frontend.sync, MessageType.Frontend.flush, MessageType.Frontend.functionCall,
             MessageType.Frontend.copyData, MessageType.Frontend.copyDone, MessageType.Frontend.copyFail:
            return forward(frame, effects: effects)
        default:
            return violation("unexpected message type '\(Unicode.Scalar(frame.type))' from client")
        }
    }

    private mutating func forward(_ frame: Frame, effects: StatementEffects) -> SessionAction {
        if let answer = answerWithoutServer(frame, effects: effects) { return answer }
        answeredSinceSync = false
        var action = SessionAction()
        if let choice = effects.routeOverride, frame.type == MessageType.Frontend.query, case .ready = state, queued.isEmpty,
           !skippingUntilSync, link?.isQuiet ?? true {
            // The proxy's own setting: answered here, never sent to PostgreSQL.
            action.routeOverride = choice
            action.toClient.append(BackendMessage.commandComplete(effects.routeOverrideTag).encoded)
            action.toClient.append(BackendMessage.readyForQuery(transactionStatus).encoded)
            return action
        }
        if case .ready = state, queued.isEmpty, var link = takeLink() {
            if mayLeaveHome(frame, effects: effects, link: link) {
                // Session pooling: the client's own connection steps aside while routing picks a node for this read.
                parkedHome = link
                queued.append((frame, effects))
                queuedBytes += frame.raw.readableBytes
                acquiring = true
                action.parkHome = true
                action.acquireServer = true
                action.routeFacts = queuedRouteFacts()
                return action
            }
            if mustLeaveReplica(frame, effects: effects, link: link) {
                // A write behind a replica's reads: it waits for the replica lease to end, then goes to the primary.
                self.link = link
                queued.append((frame, effects))
                queuedBytes += frame.raw.readableBytes
                releaseIfDone(into: &action)
                return action
            }
            send(frame, effects: effects, on: &link, into: &action)
            self.link = link
            return action
        }
        queuedBytes += frame.raw.readableBytes
        guard queuedBytes <= settings.maxQueuedBytes else {
            return fail("54000", "too much data sent while waiting for a server connection", appendingTo: action, releasing: true)
        }
        queued.append((frame, effects))
        if link == nil, !acquiring {
            acquiring = true
            action.acquireServer = true
            action.routeFacts = queuedRouteFacts()
        }
        return action
    }

    /// Under transaction pooling, with no server connection held and no transaction open: a Parse of a statement
    /// known to prepare cleanly is answered here (see ``PreparedStatementRegistry``), and so is the Sync or Flush
    /// that follows only such answers. Nil when the message needs a server.
    private mutating func answerWithoutServer(_ frame: Frame, effects: StatementEffects) -> SessionAction? {
        guard poolMode != .session, case .ready = state, link == nil, !acquiring, queued.isEmpty, !skippingUntilSync,
              transactionStatus == .idle, parkedHome == nil else { return nil }
        switch frame.type {
        case MessageType.Frontend.parse:
            // Only statements the pooler has nothing to note for: what `note` would do at the Parse must not be skipped.
            guard effects.isNone, !effects.pinsForGood, effects.routeOverride == nil, let known = settings.knownStatements,
                  case .parse(var parse)? = try? FrontendMessage.decode(frame), !parse.name.isEmpty,
                  statements[parse.name] == nil else { return nil }
            let clientName = parse.name
            parse.name = StatementNames.serverName(for: parse, namespace: statementNamespace)
            guard let owner = statementOwner, known.contains(parse.name, for: owner) else { return nil }
            statements[clientName] = ClientStatement(parse: parse, route: StatementRoute(effects))
            answeredSinceSync = true
            return .sendingToClient(BackendMessage.parseComplete.encoded)
        case MessageType.Frontend.sync where answeredSinceSync:
            answeredSinceSync = false
            return .sendingToClient(BackendMessage.readyForQuery(transactionStatus).encoded)
        case MessageType.Frontend.flush where answeredSinceSync:
            return SessionAction()
        default:
            return nil
        }
    }

    private var statementOwner: PreparedStatementRegistry.Owner? {
        guard let database, let user else { return nil }
        return PreparedStatementRegistry.Owner(database: database, user: user)
    }

    /// Classifies a server frame on the link; a ParseComplete also teaches the shared registry that its
    /// statement prepares cleanly. Every server frame the session reads comes through here.
    private func receive(_ frame: Frame, on link: inout ServerLink) -> ServerFrameDisposition {
        let disposition = link.receive(frame)
        guard frame.type == MessageType.Backend.parseComplete else { return disposition }
        // Drained even with no registry, so the link never accumulates names.
        let names = link.takePreparedStatements()
        if let known = settings.knownStatements, let owner = statementOwner {
            for name in names { known.insert(name, for: owner) }
        }
        return disposition
    }

    /// Writes one client message to the attached server, renaming prepared statements under transaction pooling.
    mutating func send(_ frame: Frame, effects: StatementEffects, on link: inout ServerLink, into action: inout SessionAction) {
        if poolMode != .session { planRetry.clientSent(frame, effects: effects, quiet: link.isQuiet, idle: link.status == .idle) }
        if skippingUntilSync {
            guard frame.type == MessageType.Frontend.sync else { return }
            skippingUntilSync = false
        }
        if let refusal = effects.refusal {
            refuseViaServer(refusal, frameType: frame.type, on: &link, into: &action)
            return
        }
        if poolMode != .session, settings.rejectSessionFeatures, let feature = effects.sessionState {
            let message = "bulkhead: \(feature) needs a session of its own, which transaction pooling cannot keep (session_features = reject)"
            refuseViaServer(StartupCheck.Refusal(sqlState: SQLState.featureNotSupported, message: message), frameType: frame.type,
                            on: &link, into: &action)
            return
        }
        switch frame.type {
        case MessageType.Frontend.parse:
            if frame.namesUnnamedStatement { ownsUnnamedStatement = true }
        case MessageType.Frontend.bind, MessageType.Frontend.describe:
            if !ownsUnnamedStatement, frame.namesUnnamedStatement {
                refuseLocally("26000", "unnamed prepared statement does not exist", on: &link)
                if link.hasSynthesized { action.toClient += link.takeSynthesized() }
                return
            }
        case MessageType.Frontend.query:
            // A simple Query drops the unnamed statement.
            ownsUnnamedStatement = false
        default:
            break
        }
        note(effects, on: &link)
        if routing.isActive, frame.type == MessageType.Frontend.parse, frame.namesUnnamedStatement {
            routing.unnamed = StatementRoute(effects)
        }
        if poolMode != .session, let rewritten = renamingStatements(frame, effects: effects, on: &link, into: &action) {
            if let rewritten { action.toServer.append(rewritten) }
        } else {
            link.noteClientFrame(type: frame.type)
            action.toServer.append(frame.raw)
        }
        noteRouted(frame, effects: effects, on: &link, into: &action)
        if link.hasSynthesized { action.toClient += link.takeSynthesized() }
    }

    /// Applies what the parser found: settings to read back later, resets, and pinning. (Session pooling needs
    /// it only when reads may run on other connections, which must then be given the same settings.)
    private mutating func note(_ effects: StatementEffects, on link: inout ServerLink) {
        guard !effects.isNone, poolMode != .session || routing.routesReads else { return }
        if effects.resetsAll {
            wanted = startupParameters.merging(forced)
            dirtySettings.removeAll()
        }
        if effects.deallocatesAll {
            link.forgetAllPrepared()
            statements.removeAll()
        }
        dirtySettings.formUnion(effects.settings)
        if let reason = effects.sessionState {
            if !isPinned { pinReason = reason }
            isPinned = true
            pinCheckDue = true
        }
        if effects.pinsForGood { pinnedForGood = true }
        if isPinned, effects.mayEndSessionState { pinCheckDue = true }
    }

    /// Handles the extended-protocol messages that name statements. Returns nil when the frame is not one of
    /// them, `.some(nil)` when the proxy answered it itself, or the frame to write instead.
    private mutating func renamingStatements(_ frame: Frame, effects: StatementEffects, on link: inout ServerLink,
                                             into action: inout SessionAction) -> ByteBuffer?? {
        switch frame.type {
        case MessageType.Frontend.parse:
            guard case .parse(var parse)? = try? FrontendMessage.decode(frame), !parse.name.isEmpty else { return nil }
            let clientName = parse.name
            guard statements[clientName] == nil else {
                refuseLocally("42P05", "prepared statement \"\(clientName)\" already exists", on: &link)
                return .some(nil)
            }
            parse.name = StatementNames.serverName(for: parse, namespace: statementNamespace)
            statements[clientName] = ClientStatement(parse: parse, route: StatementRoute(effects))
            if link.hasPrepared(parse.name) {
                link.markExtended()
                link.synthesize(BackendMessage.parseComplete.encoded)
                return .some(nil)
            }
            evictIfFull(on: &link, into: &action)
            link.notePrepared(parse.name)
            link.expect(.parse, owner: .client, statement: parse.name, clientStatement: clientName)
            return .some(FrontendMessage.parse(parse).encodedFrame)
        case MessageType.Frontend.bind:
            guard case .bind(var bind)? = try? FrontendMessage.decode(frame), !bind.statement.isEmpty else { return nil }
            guard let parse = statements[bind.statement]?.parse else {
                refuseLocally("26000", "prepared statement \"\(bind.statement)\" does not exist", on: &link)
                return .some(nil)
            }
            ensurePrepared(parse, on: &link, into: &action)
            bind.statement = parse.name
            link.expect(.bind, owner: .client)
            return .some(FrontendMessage.bind(bind).encodedFrame)
        case MessageType.Frontend.describe:
            guard case .describe(let describe)? = try? FrontendMessage.decode(frame), case .statement(let name) = describe.target,
                  !name.isEmpty else { return nil }
            guard let parse = statements[name]?.parse else {
                refuseLocally("26000", "prepared statement \"\(name)\" does not exist", on: &link)
                return .some(nil)
            }
            ensurePrepared(parse, on: &link, into: &action)
            link.expect(.describe, owner: .client)
            return .some(FrontendMessage.describe(Describe(target: .statement(parse.name))).encodedFrame)
        case MessageType.Frontend.close:
            guard case .close(let close)? = try? FrontendMessage.decode(frame), case .statement(let name) = close.target,
                  !name.isEmpty else { return nil }
            // Answered here: the server-side statement may serve other clients and ages out by LRU.
            statements[name] = nil
            link.markExtended()
            link.synthesize(BackendMessage.closeComplete.encoded)
            return .some(nil)
        default:
            return nil
        }
    }

    /// Prepares `parse` on the connection first if it lacks it, hiding the ParseComplete from the client.
    private mutating func ensurePrepared(_ parse: Parse, on link: inout ServerLink, into action: inout SessionAction) {
        guard !link.hasPrepared(parse.name) else { return }
        evictIfFull(on: &link, into: &action)
        link.notePrepared(parse.name)
        link.expect(.parse, owner: .hiddenStatement, statement: parse.name)
        action.toServer.append(FrontendMessage.parse(parse).encodedFrame)
    }

    /// Keeps at most `max_prepared_statements` per connection by closing the least recently used.
    private mutating func evictIfFull(on link: inout ServerLink, into action: inout SessionAction) {
        guard let victim = link.evict(beyond: max(settings.maxPreparedStatements - 1, 0)) else { return }
        link.expect(.close, owner: .hiddenStatement)
        action.toServer.append(FrontendMessage.close(Close(target: .statement(victim))).encodedFrame)
    }

    /// Refuses a client message by having the server raise the error in its place, so that an open transaction
    /// fails exactly as it would for an error of PostgreSQL's own. The client sees the proxy's own ErrorResponse,
    /// with the offending token's position and without the CONTEXT PL/pgSQL adds.
    private mutating func refuseViaServer(_ refusal: StartupCheck.Refusal, frameType: UInt8, on link: inout ServerLink,
                                          into action: inout SessionAction) {
        let raise = RefusalStatement.sql(sqlState: refusal.sqlState, message: refusal.message)
        let error = BackendMessage.error(refusal.sqlState, refusal.message, position: refusal.position).encoded
        // A Query or a FunctionCall stands alone and ends with ReadyForQuery: so does the raise, sent as a Query.
        if frameType == MessageType.Frontend.query || frameType == MessageType.Frontend.functionCall {
            link.expect(.query, owner: .client, errorInstead: error)
            action.toServer.append(FrontendMessage.query(raise).encodedFrame)
            return
        }
        // Extended protocol: run the raise in the unnamed statement; only its error reaches the client, in the
        // place of the refused message's answer, and the client's messages up to its Sync are dropped.
        ownsUnnamedStatement = false
        link.expect(.parse, owner: .hiddenStatement)
        action.toServer.append(FrontendMessage.parse(Parse(name: "", query: raise, parameterTypes: [])).encodedFrame)
        link.expect(.bind, owner: .hiddenStatement)
        action.toServer.append(FrontendMessage.bind(Bind(portal: "", statement: "", parameterFormats: [], parameters: [], resultFormats: [])).encodedFrame)
        link.expect(.execute, owner: .client, errorInstead: error)
        action.toServer.append(FrontendMessage.execute(Execute(portal: "", maxRows: 0)).encodedFrame)
        skippingUntilSync = frameType != MessageType.Frontend.sync
    }

    /// Answers a message with an error as the server would, and skips the client's messages until its Sync.
    private mutating func refuseLocally(_ sqlState: String, _ message: String, on link: inout ServerLink) {
        link.markExtended()
        link.synthesize(BackendMessage.error(sqlState, message).encoded)
        skippingUntilSync = true
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
    /// - Parameter onReplica: the connection is a replica's, so it may take only reads.
    /// - Parameter link: taken over, not copied: a link no one else holds is then changed in place.
    public mutating func serverLeased(_ link: consuming ServerLink, onReplica: Bool = false) -> SessionAction {
        acquiring = false
        ownsUnnamedStatement = false
        routing.onReplica = onReplica
        var action = SessionAction()
        switch state {
        case .awaitingServer:
            if let sync = syncParameters(on: &link, owner: .loginSync) {
                action.toServer.append(sync)
                state = .syncingLogin
                self.link = consume link
                return action
            }
            self.link = consume link
            return finishLogin()
        case .ready:
            // `consume`: a link that stays referenced here would be copied by the first change made to it.
            attach(consume link, into: &action)
            return action
        case .awaitingStartup, .authenticating, .syncingLogin, .finished:
            // Nobody wants it any more: give it straight back.
            action.release = ServerRelease(link: consume link, disposition: .reuse)
            return action
        }
    }

    /// Makes `link` the attached connection once the session is under way: gives it the client's settings,
    /// then what waited for it.
    mutating func attach(_ link: consuming ServerLink, into action: inout SessionAction) {
        if let sync = syncParameters(on: &link, owner: .parameterSync) { action.toServer.append(sync) }
        sendQueued(on: &link, into: &action)
        self.link = consume link
        releaseIfDone(into: &action)
    }

    /// Brings a connection's parameters in line with the client's settings: the statement to send first, if
    /// any. The link remembers the set it now matches, so the next checkout by the same set compares nothing.
    private func syncParameters(on link: inout ServerLink, owner: ResponseOwner) -> ByteBuffer? {
        guard let sql = ParameterSync.statement(wanted: wanted, link: link) else {
            if link.syncedWanted?.isIdentical(to: wanted) != true { link.syncedWanted = wanted }
            return nil
        }
        let frame = link.internalQuery(sql, owner: owner)
        link.parameters = ParameterSync.applied(wanted: wanted, link: link)
        link.syncedWanted = wanted
        return frame
    }

    /// The pool could not provide a server connection.
    public mutating func serverUnavailable(_ message: String) -> SessionAction {
        acquiring = false
        if case .finished = state { return SessionAction() }
        if parkedHome != nil {
            // A read that found no other node runs on the client's own connection, which is the primary's.
            var action = SessionAction()
            action.resumeHome = true
            return action
        }
        return fail(SQLState.connectionException, message, appendingTo: SessionAction())
    }

    /// Routing found no node for the waiting work (no primary within `primary_wait_timeout`, split brain).
    /// Each waiting request fails as PostgreSQL fails a statement, and the session goes on; during login it ends.
    public mutating func routeFailed(sqlState: String, message: String) -> SessionAction {
        acquiring = false
        guard case .ready = state else { return fail(sqlState, message, appendingTo: SessionAction()) }
        var action = SessionAction()
        let error = BackendMessage.error(sqlState, message).encoded
        let ready = BackendMessage.readyForQuery(transactionStatus).encoded
        var batchFailed = skippingUntilSync
        for (frame, _) in queued {
            switch frame.type {
            case MessageType.Frontend.query, MessageType.Frontend.functionCall:
                action.toClient += [error, ready]
            case MessageType.Frontend.sync:
                action.toClient.append(ready)
                batchFailed = false
            case MessageType.Frontend.flush, MessageType.Frontend.copyData, MessageType.Frontend.copyDone,
                 MessageType.Frontend.copyFail:
                break
            default:
                // Parse, Bind, Describe, Execute, Close: the first error ends the batch until its Sync.
                if !batchFailed { action.toClient.append(error) }
                batchFailed = true
            }
        }
        skippingUntilSync = batchFailed
        queued.removeAll()
        queuedBytes = 0
        if parkedHome != nil { action.resumeHome = true }
        return action
    }

    private mutating func finishLogin() -> SessionAction {
        var action = SessionAction()
        guard var link = takeLink() else { return action }
        // The client's view of its settings is what the server reported, so equal values compare equal later.
        adoptReportedValues(of: link)
        var reported = ParameterSet()
        for parameter in link.initialParameters.sorted { reported[parameter.name] = link.parameters[parameter.name] ?? parameter.value }
        action.toClient.append(loginCompletion(reported: reported))
        state = .ready
        // Anything the client pipelined during login goes out now, behind nothing.
        sendQueued(on: &link, into: &action)
        self.link = link
        releaseIfDone(into: &action)
        return action
    }

    /// Frames from the attached server connection: whole frames, as ``FrameBatcher`` returns them.
    ///
    /// Runs of frames that go to the client unchanged leave as one slice of `frames`, one write for a whole
    /// result; anything else takes the frame-by-frame path.
    public mutating func serverFrames(_ frames: ByteBuffer) -> SessionAction {
        var rest = frames
        var action = SessionAction()
        var runStart = rest.readerIndex
        while true {
            // Indices of `rest` are those of `frames` (a frame's own slice starts again at zero).
            let frameStart = rest.readerIndex
            guard let frame = Frame.next(in: &rest) else { break }
            let type = frame.type
            if case .ready = state, type != MessageType.Backend.errorResponse, type != MessageType.Backend.parameterStatus,
               !planRetry.isDraining, var link = takeLink() {
                let disposition = receive(frame, on: &link)
                if disposition == .forward, !link.hasSynthesized {
                    self.link = link
                    planRetry.forwardedToClient()
                    continue
                }
                if case .forwardReady(let status) = disposition, !link.hasSynthesized, passesReadyThrough(status) {
                    // The usual end of an answer: it stays in the run, so the whole answer leaves as one slice.
                    self.link = link
                    Self.forwardRun(of: frames, from: runStart, to: rest.readerIndex, into: &action)
                    runStart = rest.readerIndex
                    readyPassed(status, into: &action)
                    continue
                }
                if disposition == .swallow, !link.hasSynthesized {
                    // An answer to the proxy's own statement: cut out of the run, with nothing else to do.
                    self.link = link
                    Self.forwardRun(of: frames, from: runStart, to: frameStart, into: &action)
                    runStart = rest.readerIndex
                    continue
                }
                Self.forwardRun(of: frames, from: runStart, to: frameStart, into: &action)
                action.absorb(serverFrame(frame, disposition: disposition, link: consume link))
            } else {
                Self.forwardRun(of: frames, from: runStart, to: frameStart, into: &action)
                action.absorb(serverFrame(frame))
            }
            runStart = rest.readerIndex
        }
        Self.forwardRun(of: frames, from: runStart, to: rest.readerIndex, into: &action)
        return action
    }

    /// Queues the frames of `frames` between two indices for the client, as one slice.
    private static func forwardRun(of frames: ByteBuffer, from start: Int, to end: Int, into action: inout SessionAction) {
        guard end > start, let run = frames.getSlice(at: start, length: end - start) else { return }
        action.toClient.append(run)
    }

    /// A frame from the attached server connection.
    public mutating func serverFrame(_ frame: Frame) -> SessionAction {
        guard var link = takeLink() else { return SessionAction() }
        let disposition = receive(frame, on: &link)
        return serverFrame(frame, disposition: disposition, link: consume link)
    }

    /// The rest of ``serverFrame(_:)`` once the link, taken out of the session, has classified the frame.
    private mutating func serverFrame(_ frame: Frame, disposition: ServerFrameDisposition, link: consuming ServerLink) -> SessionAction {
        if frame.type == MessageType.Backend.errorResponse {
            // PostgreSQL creates nothing when a Parse fails or is skipped, so the client may use the name again.
            for name in link.takeFailedClientStatements() {
                statements[name] = nil
            }
        }
        if planRetry.isDraining || (disposition == .forward && frame.type == MessageType.Backend.errorResponse && planRetry.holdIfRetryable(frame)) {
            return retryingInvalidatedPlan(disposition, frame: frame, link: consume link)
        }
        var action = SessionAction()
        if link.hasSynthesized, case .ready = state {
            // The proxy's own answers follow the frame that completed the message before them.
            let synthesized = link.takeSynthesized()
            self.link = consume link
            serverFrame(disposition: disposition, frame: frame, into: &action)
            action.toClient += synthesized
            return action
        }
        self.link = consume link
        serverFrame(disposition: disposition, frame: frame, into: &action)
        return action
    }

    /// Adds to `action` (in place: the action is large, and this runs for every frame off the fast path).
    mutating func serverFrame(disposition: ServerFrameDisposition, frame: Frame, into action: inout SessionAction) {
        switch (state, disposition) {
        case (.syncingLogin, .internalDone(.loginSync, let error)):
            if let error {
                action = fail(error.sqlState ?? SQLState.connectionException, error.message ?? "could not apply startup parameters",
                              appendingTo: action, releasing: true)
                return
            }
            action.absorb(finishLogin())
            return
        case (.syncingLogin, .swallow), (.syncingLogin, .forward), (.syncingLogin, .internalDone):
            return
        case (_, .violation(let text)):
            guard var link = self.link else { return }
            self.link = nil
            link.taint()
            action.release = ServerRelease(link: link, disposition: .close)
            action = fail(SQLState.connectionFailure, "server connection broke the protocol: \(text)", appendingTo: action)
        case (.ready, .forward):
            if frame.type == MessageType.Backend.parameterStatus { noteReported(frame) }
            action.toClient.append(frame.raw)
            planRetry.forwardedToClient()
            return
        case (.ready, .forwardInstead(let replacement)):
            action.toClient.append(replacement)
            planRetry.forwardedToClient()
            return
        case (.ready, .forwardReady(let status)):
            if passesReadyThrough(status) {
                action.toClient.append(frame.raw)
                readyPassed(status, into: &action)
                return
            }
            planRetry.finished()
            transactionStatus = status
            if status == .idle, holdsReadyForSettings, var link = takeLink() {
                // Session pooling with routing: the client's next read may go to a replica lease, which must be
                // given what this SET left. Read it back before the client may send that read.
                captureDirtySettings(on: &link, into: &action)
                routing.heldReady = frame.raw
                self.link = link
                return
            }
            if status == .idle, routing.owesWritePosition, var link = takeLink() {
                holdReadyForWritePosition(frame, on: &link, into: &action)
                self.link = link
                return
            }
            if status != .idle, !queued.isEmpty, var link = takeLink() {
                // Held back for a primary, but the replica's transaction goes on: they belong to it after all.
                sendQueued(on: &link, into: &action, leavingReplica: false)
                self.link = link
            }
            action.toClient.append(frame.raw)
            if poolMode == .statement, status != .idle {
                action = fail(SQLState.featureNotSupported, "transaction blocks are not allowed in statement pooling mode",
                              appendingTo: action, releasing: true)
                return
            }
            releaseIfDone(into: &action)
            return
        case (.ready, .swallow):
            return
        case (.ready, .internalDone(.capture(let names), let error)):
            guard var link = takeLink() else { return }
            if error == nil {
                for (name, value) in link.takeCaptured() where forced[name] == nil {
                    wanted[name] = value
                    link.parameters[name] = value
                }
            } else if poolMode == .session {
                // Settings that cannot be read back cannot be given to another connection: reads stay home.
                isPinned = true
                pinReason = pinReason ?? "settings that could not be read back"
            } else {
                dirtySettings.formUnion(names)
            }
            settingsCaptured(on: &link, into: &action)
            self.link = link
            releaseIfDone(into: &action)
            return
        case (.ready, .internalDone(.parameterSync, let error?)):
            // The settings the client asked for could not be applied (e.g. a bad startup parameter): PostgreSQL
            // would have refused the connection, so the session ends with the server's reason.
            action = fail(error.sqlState ?? SQLState.connectionException, error.message ?? "could not apply session parameters",
                          appendingTo: action, releasing: true)
        case (.ready, .internalDone(.parameterSync, nil)):
            // Keep the values as the server reported them, so equal settings compare equal on the next checkout.
            if let link = self.link {
                adoptReportedValues(of: link)
            }
            releaseIfDone(into: &action)
            return
        case (.ready, .internalDone(.writePosition, let error)):
            if var link = takeLink() {
                writePositionAnswered(error: error != nil, link: &link, into: &action)
                self.link = link
            }
            releaseIfDone(into: &action)
            return
        case (.ready, .internalDone(.pinCheck, let error)):
            if var link = takeLink() {
                let left = link.takeFirstColumn()
                if error == nil, link.status == .idle, let left, left.readableBytesView.elementsEqual("0".utf8) {
                    // Nothing of what pinned the connection is left: it may serve other clients again.
                    isPinned = false
                    pinReason = nil
                }
                self.link = link
            }
            releaseIfDone(into: &action)
        case (.ready, .internalDone(_, let error)):
            if error != nil, var link = takeLink() { link.taint(); self.link = link }
            releaseIfDone(into: &action)
            return
        case (.awaitingStartup, _), (.authenticating, _), (.awaitingServer, _), (.syncingLogin, _), (.finished, _):
            return
        }
    }

    /// A ReadyForQuery the client may have at once and unchanged: not held back for settings or a write
    /// position, with nothing queued to go ahead of it, and not a transaction block under statement pooling.
    private func passesReadyThrough(_ status: TransactionStatus) -> Bool {
        if status == .idle { return !holdsReadyForSettings && !routing.owesWritePosition }
        return queued.isEmpty && poolMode != .statement
    }

    /// A ReadyForQuery that passed through: the client's request is over, and the connection may go back.
    private mutating func readyPassed(_ status: TransactionStatus, into action: inout SessionAction) {
        planRetry.finished()
        transactionStatus = status
        releaseIfDone(into: &action)
    }

    /// The attached server connection closed on its own.
    public mutating func serverClosed() -> SessionAction {
        guard let link else { return SessionAction() }
        self.link = nil
        switch state {
        case .ready where (poolMode != .session || parkedHome != nil) && link.isIdle:
            var action = SessionAction()
            action.resumeHome = parkedHome != nil
            return action
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
        // A client waiting for a server connection, or for its server's answer, is not idle.
        guard case .ready = state, !(link?.clientRequestPending ?? false), queued.isEmpty, !acquiring else { return SessionAction() }
        if transactionStatus != .idle {
            guard let limit = transactionIdleTimeout, idle >= limit else { return SessionAction() }
            return fail(SQLState.idleInTransactionTimeout, "bulkhead: terminating connection due to idle_transaction_timeout", appendingTo: SessionAction())
        }
        guard let limit = clientIdleTimeout, idle >= limit else { return SessionAction() }
        return fail(SQLState.idleSessionTimeout, "bulkhead: terminating connection due to client_idle_timeout", appendingTo: SessionAction())
    }

    // MARK: Helpers

    /// Moves the link out of the session so it can be mutated in place; the caller puts it back.
    /// (Mutating a copy while `self.link` still shares its storage would copy its buffers on every frame.)
    mutating func takeLink() -> ServerLink? {
        defer { link = nil }
        return link
    }

    /// Takes the values of the client's settings as the server reported them, so equal settings compare equal
    /// later. Only values that differ are written: the set is shared with `startupParameters` until then, and
    /// an idle session should not carry two copies of it.
    private mutating func adoptReportedValues(of link: ServerLink) {
        for parameter in wanted.sorted {
            if let reported = link.parameters[parameter.name], reported != parameter.value { wanted[parameter.name] = reported }
        }
    }

    /// Remembers settings the client changed itself, as the server reported them.
    private mutating func noteReported(_ frame: Frame) {
        guard case .parameterStatus(let name, let value)? = try? BackendMessage.decode(frame),
              !Self.serverOwnedParameters.contains(name.lowercased()), forced[name] == nil else { return }
        wanted[name] = value
    }

    /// In transaction and statement modes the connection goes back as soon as nothing is pending; so does a
    /// replica lease taken beside a session-pooled client's own connection, which then comes back into use.
    private mutating func releaseIfDone(into action: inout SessionAction) {
        guard let idle = link?.isIdle, idle else { return }
        if isPinned, pinCheckDue, !pinnedForGood, parkedHome == nil, var link = takeLink() {
            pinCheckDue = false
            action.toServer.append(link.internalQuery(encoded: Self.pinCheckQuery, owner: .pinCheck))
            self.link = link
            return
        }
        if poolMode == .session, parkedHome == nil {
            // The client's own connection stays. With routing, what SET left is read back now, so that the
            // next replica lease can be given the same.
            guard !dirtySettings.isEmpty, !isPinned, var link = takeLink() else { return }
            captureDirtySettings(on: &link, into: &action)
            self.link = link
            return
        }
        // Messages queued behind a held connection are writes waiting for a replica lease to end. A replica
        // lease beside the client's own connection goes back even if pinned: the client has a home to return to.
        guard !isPinned || parkedHome != nil, queued.isEmpty || routing.onReplica, var link = takeLink() else { return }
        if !dirtySettings.isEmpty {
            // Read back what the client's SET/RESET left, so the next connection can be given the same.
            captureDirtySettings(on: &link, into: &action)
            self.link = link
            return
        }
        if let sql = ParameterSync.restoreStatement(link: link) {
            action.toServer.append(link.internalQuery(sql, owner: .restore))
            link.parameters["statement_timeout"] = link.initialParameters["statement_timeout"] ?? "0"
            self.link = link
            return
        }
        self.link = nil
        action.release = ServerRelease(link: link, disposition: link.isTainted ? .close : isPinned ? .reset : .reuse)
        routing.onReplica = false
        if parkedHome != nil {
            action.resumeHome = true
        } else if !queued.isEmpty, !acquiring {
            acquiring = true
            action.acquireServer = true
            action.routeFacts = queuedRouteFacts()
        }
    }

    /// Asks the server for the current values of the settings the client changed.
    mutating func captureDirtySettings(on link: inout ServerLink, into action: inout SessionAction) {
        let names = dirtySettings.sorted()
        dirtySettings.removeAll()
        let columns = names.map { "pg_catalog.current_setting(\(ParameterSync.literal($0)), true)" }.joined(separator: ", ")
        action.toServer.append(link.internalQuery("SELECT " + columns, owner: .capture(names)))
    }

    /// Sends what waited for a connection, up to a write that a replica lease must not take.
    private mutating func sendQueued(on link: inout ServerLink, into action: inout SessionAction, leavingReplica: Bool = true) {
        var sent = 0
        for (frame, effects) in queued {
            if leavingReplica, mustLeaveReplica(frame, effects: effects, link: link) { break }
            send(frame, effects: effects, on: &link, into: &action)
            queuedBytes -= frame.raw.readableBytes
            sent += 1
        }
        queued.removeFirst(sent)
        if queued.isEmpty { queuedBytes = 0 }
    }

    /// Gives the server connection back in whatever state the client left it.
    private mutating func detach(into action: inout SessionAction) {
        if acquiring {
            acquiring = false
            action.cancelAcquire = true
        }
        queued.removeAll()
        if let home = parkedHome {
            parkedHome = nil
            action.releaseHome = ServerRelease(link: home, disposition: home.isTainted ? .close : .reset)
        }
        guard let link else { return }
        self.link = nil
        let disposition: ReleaseDisposition
        if link.isTainted || link.resetPending || !link.isQuiet {
            // A request is in flight: closing is the only way to be sure the server forgets it.
            disposition = .close
        } else if poolMode == .session || isPinned || link.status != .idle {
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

    /// The session's own connection failed while set aside: the session cannot go on without it.
    mutating func homeLost(appendingTo action: SessionAction) -> SessionAction {
        fail(SQLState.connectionFailure, "server closed the connection unexpectedly", appendingTo: action)
    }

    private mutating func violation(_ message: String) -> SessionAction {
        fail(SQLState.protocolViolation, message, appendingTo: SessionAction())
    }
}

// The session's part in read/write routing: keeping writes off replica leases, and learning where writes committed.

import BulkheadRouting
import BulkheadWire
import NIOCore

/// What routing knows about one client statement, recorded when the client sends its text.
struct StatementRoute: Sendable {
    var facts: StatementFacts
    /// Running it may start a COPY FROM STDIN.
    var mayCopyIn: Bool

    init(_ effects: StatementEffects) {
        // Session state (a LISTEN, an advisory lock, a held cursor) belongs where the client's writes go.
        facts = effects.sessionState == nil ? effects.route ?? .write : .write
        mayCopyIn = effects.mayCopyIn
    }

    init(facts: StatementFacts, mayCopyIn: Bool) {
        self.facts = facts
        self.mayCopyIn = mayCopyIn
    }

    /// Unclassified work: a write, which may copy.
    static let unknown = StatementRoute(facts: .write, mayCopyIn: true)
}

/// Per-client routing state, as a pure value inside ``ClientSession``.
///
/// The handler picks the node for each lease; this value makes the lease honest. A replica lease takes only
/// reads: a write the client sends behind them waits until the lease ends and is routed on its own. On the
/// primary, every write is followed, in the same write to the server, by a query of the WAL insert position,
/// and the client's ReadyForQuery is held until that answer is in, so no read can be routed before the proxy
/// knows what it must see.
struct SessionRouting: Sendable {
    /// Reads may go to replicas (transaction and statement pooling only).
    var routesReads = false
    /// Read-your-writes is on: learn the WAL position after writes.
    var tracksWrites = false
    /// The connection held now is a replica's.
    var onReplica = false
    /// The unnamed statement the client last parsed.
    var unnamed = StatementRoute.unknown
    /// Writes sent to a primary so far, and how many of them a learned WAL position covers.
    var writesSent = 0
    var writesCovered = 0
    /// For each write-position query in flight, oldest first: the writes it will cover.
    var positionQueries: [Int] = []
    /// A COMMIT was sent since the last write-position query.
    var commitSent = false
    /// The current extended-protocol batch may start a COPY FROM STDIN.
    var copyInBatch = false
    /// The client's ReadyForQuery, held until the write position it waits for is known.
    var heldReady: ByteBuffer?

    /// Routing needs anything from the session at all.
    var isActive: Bool { routesReads || tracksWrites }

    /// Writes were sent to the primary whose commit position is not known yet.
    var writesUncovered: Bool { tracksWrites && !onReplica && writesSent > writesCovered }

    /// A ReadyForQuery `I` now must wait for the write position (unless one is held already).
    var owesWritePosition: Bool { writesUncovered && heldReady == nil }
}

extension ClientSession {
    /// What routing knows about a client message: Query and Parse carry their own facts, a Bind those of its
    /// statement; other messages (nil) are part of whatever exchange they belong to.
    func statementRoute(of frame: Frame, effects: StatementEffects) -> StatementRoute? {
        switch frame.type {
        case MessageType.Frontend.query, MessageType.Frontend.parse:
            return StatementRoute(effects)
        case MessageType.Frontend.bind:
            guard let name = frame.boundStatementName else { return .unknown }
            return name.isEmpty ? routing.unnamed : statements[name]?.route ?? .unknown
        case MessageType.Frontend.functionCall:
            return .unknown
        default:
            return nil
        }
    }

    /// The facts a new lease is routed by: read-only only if every waiting message is. (Without read routing
    /// every lease goes to the primary, and nothing needs looking at.)
    func queuedRouteFacts() -> StatementFacts {
        guard routing.routesReads else { return .write }
        var facts: StatementFacts?
        for (frame, effects) in queued {
            guard let route = statementRoute(of: frame, effects: effects) else { continue }
            guard var combined = facts else {
                facts = route.facts
                continue
            }
            combined.isReadOnly = combined.isReadOnly && route.facts.isReadOnly
            combined.forcesPrimary = combined.forcesPrimary || route.facts.forcesPrimary
            facts = combined
        }
        return facts ?? .write
    }

    /// True when the message must not join a replica lease: a write that starts a new exchange.
    func mustLeaveReplica(_ frame: Frame, effects: StatementEffects, link: ServerLink) -> Bool {
        guard routing.onReplica, !isPinned, link.atMessageBoundary, link.status == .idle else { return false }
        guard let route = statementRoute(of: frame, effects: effects) else { return false }
        return !route.facts.isReadOnly
    }

    /// Records a message just written to the server, and pipelines the write-position query behind it when
    /// it may have committed a write.
    mutating func noteRouted(_ frame: Frame, effects: StatementEffects, on link: inout ServerLink, into action: inout SessionAction) {
        guard routing.tracksWrites, !routing.onReplica else { return }
        let route = statementRoute(of: frame, effects: effects)
        if let route {
            if !route.facts.isReadOnly { routing.writesSent += 1 }
            if route.facts.transaction == .commit { routing.commitSent = true }
            if route.mayCopyIn { routing.copyInBatch = true }
        }
        let endsExchange: Bool
        let mayCopy: Bool
        switch frame.type {
        case MessageType.Frontend.query:
            endsExchange = true
            mayCopy = route?.mayCopyIn ?? true
        case MessageType.Frontend.sync:
            endsExchange = true
            mayCopy = routing.copyInBatch
            routing.copyInBatch = false
        default:
            endsExchange = false
            mayCopy = true
        }
        let covered = routing.positionQueries.last ?? routing.writesCovered
        guard endsExchange, !mayCopy, routing.writesSent > covered, link.status == .idle || routing.commitSent else { return }
        askWritePosition(on: &link, into: &action)
    }

    mutating func askWritePosition(on link: inout ServerLink, into action: inout SessionAction) {
        action.toServer.append(link.internalQuery(encoded: Self.writePositionQuery, owner: .writePosition))
        routing.positionQueries.append(routing.writesSent)
        routing.commitSent = false
    }

    /// The client's ReadyForQuery `I` while ``SessionRouting/owesWritePosition``: hold it, and make sure a
    /// write-position query follows.
    /// ``RoutingQueries/writePosition`` as a Query frame, encoded once: it follows every write that commits.
    static let writePositionQuery = FrontendMessage.query(RoutingQueries.writePosition).encodedFrame

    mutating func holdReadyForWritePosition(_ frame: Frame, on link: inout ServerLink, into action: inout SessionAction) {
        if routing.positionQueries.isEmpty { askWritePosition(on: &link, into: &action) }
        routing.heldReady = frame.raw
    }

    /// A write-position query answered. It counts only if the client's transaction had ended before it ran.
    mutating func writePositionAnswered(error: Bool, link: inout ServerLink, into action: inout SessionAction) {
        let covers = routing.positionQueries.isEmpty ? routing.writesCovered : routing.positionQueries.removeFirst()
        let position = link.takeFirstColumn()
        if !error, link.status == .idle, let text = position, let lsn = LSN(utf8: text.readableBytesView) {
            routing.writesCovered = max(routing.writesCovered, covers)
            action.learnedWriteLSN = max(action.learnedWriteLSN ?? .zero, lsn.replayRequirement)
        }
        if let held = routing.heldReady {
            routing.heldReady = nil
            action.toClient.append(held)
        }
    }
}

// MARK: Session pooling

extension ClientSession {
    /// A connection of the client's own is set aside while a read runs elsewhere.
    public var hasParkedHome: Bool { parkedHome != nil }

    /// The pool's ID of that connection, to tell its frames from those of the replica lease.
    public var parkedHomeID: Int? { parkedHome?.id }

    /// Session pooling with routing: whether this message may run on a replica lease instead of the client's
    /// own connection. Only an autocommit read that leaves nothing behind may: a Query, or the Parse of the
    /// unnamed statement, that is read-only, starts no transaction, changes no setting and creates no session
    /// state, on a connection with nothing in flight. Its lease then ends with its ReadyForQuery. A named
    /// statement stays home, where the client's later Binds look for it.
    func mayLeaveHome(_ frame: Frame, effects: StatementEffects, link: ServerLink) -> Bool {
        guard poolMode == .session, routing.routesReads, !isPinned, link.isIdle, dirtySettings.isEmpty,
              routing.heldReady == nil, effects.refusal == nil, effects.settings.isEmpty, !effects.resetsAll,
              !effects.deallocatesAll, effects.sessionState == nil, let facts = effects.route,
              facts.isReadOnly, !facts.forcesPrimary, facts.transaction == nil else { return false }
        switch frame.type {
        case MessageType.Frontend.query: return true
        case MessageType.Frontend.parse: return frame.namesUnnamedStatement
        default: return false
        }
    }

    /// Session pooling with routing, on the client's own connection: a ReadyForQuery `I` waits while the
    /// settings the client changed are read back, so that its next read can be routed with them.
    var holdsReadyForSettings: Bool {
        poolMode == .session && routing.routesReads && parkedHome == nil && !isPinned && !dirtySettings.isEmpty
            && routing.heldReady == nil
    }

    /// The settings read back: a ReadyForQuery held for them goes out, unless a write still owes its position.
    /// (One held for a write position is released by ``writePositionAnswered(error:link:into:)``.)
    mutating func settingsCaptured(on link: inout ServerLink, into action: inout SessionAction) {
        guard let held = routing.heldReady, routing.positionQueries.isEmpty else { return }
        if routing.writesUncovered {
            askWritePosition(on: &link, into: &action)
            return
        }
        routing.heldReady = nil
        action.toClient.append(held)
    }

    /// The client's own connection is attached again (its replica lease ended, or routing chose the primary
    /// for the read): it is given any settings changed meanwhile, then what waited.
    public mutating func homeResumed() -> SessionAction {
        var action = SessionAction()
        guard isReady, let home = parkedHome else { return action }
        parkedHome = nil
        acquiring = false
        routing.onReplica = false
        // The unnamed statement, if the read made one, is on the other connection now.
        ownsUnnamedStatement = false
        attach(consume home, into: &action)
        return action
    }

    /// Frames from the client's own connection while it is set aside. It has nothing in flight, so it may only
    /// report a setting or a notice. Anything else (a FATAL before the server closes it) ends the session, which
    /// cannot go on without that connection.
    public mutating func homeFrames(_ frames: ByteBuffer) -> SessionAction {
        var rest = frames
        var action = SessionAction()
        while let frame = Frame.next(in: &rest) {
            switch frame.type {
            case MessageType.Backend.parameterStatus:
                continue
            case MessageType.Backend.noticeResponse:
                action.toClient.append(frame.raw)
            default:
                parkedHome?.taint()
                return homeLost(appendingTo: action)
            }
        }
        return action
    }

    /// The client's own connection closed while set aside.
    public mutating func homeClosed() -> SessionAction {
        guard parkedHome != nil else { return SessionAction() }
        parkedHome = nil
        return homeLost(appendingTo: SessionAction())
    }
}

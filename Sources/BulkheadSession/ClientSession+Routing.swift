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
        facts = effects.route ?? .write
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
    /// The client's named statements, by the client's name, as classified at Parse.
    var named: [String: StatementRoute] = [:]
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

    /// A ReadyForQuery `I` now must wait: writes were sent to the primary whose commit position is not known yet.
    var owesWritePosition: Bool { tracksWrites && !onReplica && writesSent > writesCovered && heldReady == nil }
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
            return name.isEmpty ? routing.unnamed : routing.named[name] ?? .unknown
        case MessageType.Frontend.functionCall:
            return .unknown
        default:
            return nil
        }
    }

    /// The facts a new lease is routed by: read-only only if every waiting message is.
    func queuedRouteFacts() -> StatementFacts {
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
        let captured = link.takeCaptured()
        if !error, link.status == .idle, let text = captured[ServerLink.writePositionColumn] ?? nil, let lsn = LSN(text) {
            routing.writesCovered = max(routing.writesCovered, covers)
            action.learnedWriteLSN = max(action.learnedWriteLSN ?? .zero, lsn)
        }
        if let held = routing.heldReady {
            routing.heldReady = nil
            action.toClient.append(held)
        }
    }
}

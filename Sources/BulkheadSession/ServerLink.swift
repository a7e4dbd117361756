// Tracks one server connection's protocol position: which answers are owed and to whom, its transaction status, parameters and prepared statements.

import BulkheadWire
import NIOCore

/// What to do with one frame from the server.
public enum ServerFrameDisposition: Sendable, Hashable {
    /// Forward it to the client.
    case forward
    /// Forward it; it was a ReadyForQuery that ended one of the client's requests.
    case forwardReady(TransactionStatus)
    /// The proxy's own request is still answering: drop it.
    case swallow
    /// The proxy's own request finished (its ReadyForQuery), with the first error it raised, if any.
    case internalDone(ResponseOwner, ErrorFields?)
    /// The server broke the protocol; the connection must be closed.
    case violation(String)
    /// Forward this frame instead (the proxy's own error for a refusal the server raised).
    case forwardInstead(ByteBuffer)
}

/// The state of one server connection as seen by whoever holds it: the pool while idle, a client session while leased.
///
/// It keeps, in order, one ``PendingResponse`` per message written, so that each frame the server sends can
/// be matched to the request it answers. The proxy can then slip its own statements in front of a client's,
/// hide their answers, and answer some client messages itself, without the client seeing anything out of order.
public struct ServerLink: Sendable {
    /// Everything that changes, behind one reference: a link changes hands on every lease and release, and
    /// moving it then costs one retain instead of one per buffer it holds. Copy-on-write keeps value semantics.
    private final class Storage: @unchecked Sendable {
        // @unchecked: only mutated through `ServerLink.unique`, which copies a shared instance first.
        let initialParameters: ParameterSet
        var parameters: ParameterSet
        var status: TransactionStatus = .idle
        var pending = CircularBuffer<PendingResponse>(initialCapacity: 8)
        /// Frames the proxy answers itself, ready to go to the client in order.
        var synthesized: [ByteBuffer] = []
        /// The client sent extended-protocol messages that no Sync has closed yet.
        var extendedOpen = false
        /// The server is in copy-in mode and the client has not ended the copy: the server ignores Sync and Flush.
        var copyIn = false
        var internalError: ErrorFields?
        /// Values read back by a `.capture` request.
        var captured: [String: String?] = [:]
        /// The first column of a ``ResponseOwner/writePosition`` or ``ResponseOwner/pinCheck`` answer, as sent
        /// (nil for none or SQL NULL).
        var firstColumn: ByteBuffer?
        /// Client statement names whose Parse failed or was skipped after an error: they exist nowhere.
        var failedClientStatements: [String] = []
        /// Statements (server names) the server just prepared without error.
        var preparedStatements: [String] = []
        /// Named statements prepared on this connection by the proxy, with their last use, for LRU eviction.
        var prepared: [String: UInt64] = [:]
        var useClock: UInt64 = 0
        /// Set when the proxy no longer knows the connection's state (a failed sync, a protocol error).
        var isTainted = false
        /// The client settings `parameters` was last brought in line with; cleared whenever `parameters` changes.
        var syncedWanted: ParameterSet?

        init(parameters: ParameterSet) {
            self.initialParameters = parameters
            self.parameters = parameters
        }

        func copy() -> Storage {
            let copy = Storage(parameters: initialParameters)
            copy.parameters = parameters
            copy.status = status
            copy.pending = pending
            copy.synthesized = synthesized
            copy.extendedOpen = extendedOpen
            copy.copyIn = copyIn
            copy.internalError = internalError
            copy.captured = captured
            copy.firstColumn = firstColumn
            copy.failedClientStatements = failedClientStatements
            copy.preparedStatements = preparedStatements
            copy.prepared = prepared
            copy.useClock = useClock
            copy.isTainted = isTainted
            copy.syncedWanted = syncedWanted
            return copy
        }
    }

    /// The pool's ID for the connection.
    public let id: Int
    /// The server's own cancel key, never shown to clients.
    public let backendKey: BackendKey?
    private var storage: Storage

    /// The storage, copied first if another value shares it.
    private var unique: Storage {
        mutating get {
            if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
            return storage
        }
    }

    /// What the server reported at login: the values a reset returns to.
    public var initialParameters: ParameterSet { storage.initialParameters }
    /// The parameters in force on the connection now, as far as the proxy knows.
    public internal(set) var parameters: ParameterSet {
        get { storage.parameters }
        set {
            let storage = unique
            storage.parameters = newValue
            storage.syncedWanted = nil
        }
    }
    /// The client settings this connection was last brought in line with, as long as its parameters have not
    /// changed since: a checkout by a client wanting that same (shared) set needs no comparison.
    public internal(set) var syncedWanted: ParameterSet? {
        get { storage.syncedWanted }
        set { unique.syncedWanted = newValue }
    }
    public private(set) var status: TransactionStatus {
        get { storage.status }
        set { unique.status = newValue }
    }
    /// Set when the proxy no longer knows the connection's state (a failed sync, a protocol error).
    public private(set) var isTainted: Bool {
        get { storage.isTainted }
        set { unique.isTainted = newValue }
    }

    // The storage's fields under their own names: reads borrow them, writes change them in place.
    private var pending: CircularBuffer<PendingResponse> {
        _read { yield storage.pending }
        _modify { yield &unique.pending }
    }
    private var synthesized: [ByteBuffer] {
        _read { yield storage.synthesized }
        _modify { yield &unique.synthesized }
    }
    private var extendedOpen: Bool {
        _read { yield storage.extendedOpen }
        _modify { yield &unique.extendedOpen }
    }
    private var copyIn: Bool {
        _read { yield storage.copyIn }
        _modify { yield &unique.copyIn }
    }
    private var internalError: ErrorFields? {
        _read { yield storage.internalError }
        _modify { yield &unique.internalError }
    }
    private var captured: [String: String?] {
        _read { yield storage.captured }
        _modify { yield &unique.captured }
    }

    private var firstColumn: ByteBuffer? {
        _read { yield storage.firstColumn }
        _modify { yield &unique.firstColumn }
    }
    private var failedClientStatements: [String] {
        _read { yield storage.failedClientStatements }
        _modify { yield &unique.failedClientStatements }
    }
    private var preparedStatements: [String] {
        _read { yield storage.preparedStatements }
        _modify { yield &unique.preparedStatements }
    }
    private var prepared: [String: UInt64] {
        _read { yield storage.prepared }
        _modify { yield &unique.prepared }
    }
    private var useClock: UInt64 {
        _read { yield storage.useClock }
        _modify { yield &unique.useClock }
    }

    public init(id: Int, backendKey: BackendKey?, parameters: ParameterSet) {
        self.id = id
        self.backendKey = backendKey
        self.storage = Storage(parameters: parameters)
    }

    // MARK: State

    /// Nothing in flight and no transaction open: the connection may change hands.
    public var isIdle: Bool { pending.isEmpty && !extendedOpen && status == .idle }

    /// Nothing in flight, though a transaction may be open.
    public var isQuiet: Bool { pending.isEmpty && !extendedOpen }

    /// Whether a request of the client's is outstanding.
    public var clientRequestPending: Bool { extendedOpen || pending.contains { $0.owner == .client } }

    /// Whether a reset is still in flight.
    public var resetPending: Bool { pending.contains { $0.owner == .reset } }

    /// True when the last message written ended an exchange (a Query or a Sync), so the next one starts a new
    /// implicit transaction, or continues the explicit one, rather than joining an extended-protocol batch.
    public var atMessageBoundary: Bool { !extendedOpen }


    /// The link after a failed internal request: close it rather than reuse it.
    public mutating func taint() { isTainted = true }

    // MARK: Writing

    /// Records a client frame written unchanged.
    public mutating func noteClientFrame(type: UInt8) {
        switch type {
        case MessageType.Frontend.query: expect(.query, owner: .client)
        case MessageType.Frontend.functionCall: expect(.functionCall, owner: .client)
        case MessageType.Frontend.sync:
            // During copy-in the server ignores a Sync: it answers nothing, and the exchange stays open.
            guard !copyIn else { return }
            expect(.sync, owner: .client)
            extendedOpen = false
        case MessageType.Frontend.copyDone, MessageType.Frontend.copyFail:
            if copyIn {
                copyIn = false
            } else if !pending.isEmpty {
                // Sent before the server said it is copying: keep the place, see `copyInStarted`.
                pending.append(PendingResponse(kind: .copyEnd, owner: .client))
            }
        case MessageType.Frontend.parse: expect(.parse, owner: .client); extendedOpen = true
        case MessageType.Frontend.bind: expect(.bind, owner: .client); extendedOpen = true
        case MessageType.Frontend.describe: expect(.describe, owner: .client); extendedOpen = true
        case MessageType.Frontend.execute: expect(.execute, owner: .client); extendedOpen = true
        case MessageType.Frontend.close: expect(.close, owner: .client); extendedOpen = true
        case MessageType.Frontend.flush: extendedOpen = true
        default: break
        }
    }

    /// Records a message written whose answer is owed to `owner`.
    mutating func expect(_ kind: PendingResponse.Kind, owner: ResponseOwner, statement: String? = nil, clientStatement: String? = nil,
                         errorInstead: ByteBuffer? = nil) {
        pending.append(PendingResponse(kind: kind, owner: owner, statement: statement, clientStatement: clientStatement,
                                       errorInstead: errorInstead))
        switch kind {
        case .parse, .bind, .describe, .execute, .close: extendedOpen = true
        case .sync: extendedOpen = false
        case .query, .functionCall, .synthesized, .copyEnd: break
        }
    }

    /// The client is inside an extended-protocol exchange that only a Sync ends.
    mutating func markExtended() { extendedOpen = true }

    /// Queues a frame the proxy answers itself; it goes out once everything before it has.
    mutating func synthesize(_ frame: ByteBuffer) {
        if pending.isEmpty {
            synthesized.append(frame)
        } else {
            pending.append(PendingResponse(kind: .synthesized(frame), owner: .client))
        }
    }

    /// Whether answers the proxy made itself are ready for the client.
    public var hasSynthesized: Bool { !synthesized.isEmpty }

    /// Takes the answers the proxy made itself that are ready for the client.
    public mutating func takeSynthesized() -> [ByteBuffer] {
        defer { synthesized.removeAll() }
        return synthesized
    }

    /// Builds a Query of the proxy's own whose responses will be swallowed.
    public mutating func internalQuery(_ sql: String, owner: ResponseOwner) -> ByteBuffer {
        internalQuery(encoded: FrontendMessage.query(sql).encodedFrame, owner: owner)
    }

    /// Records a Query of the proxy's own, already encoded (a constant one is encoded once).
    public mutating func internalQuery(encoded frame: ByteBuffer, owner: ResponseOwner) -> ByteBuffer {
        expect(.query, owner: owner)
        return frame
    }

    /// Client statement names whose Parse failed, to be forgotten by the session.
    public mutating func takeFailedClientStatements() -> [String] {
        defer { failedClientStatements.removeAll() }
        return failedClientStatements
    }

    /// Statements (server names) prepared without error since the last call.
    public mutating func takePreparedStatements() -> [String] {
        guard !preparedStatements.isEmpty else { return [] }
        defer { preparedStatements.removeAll() }
        return preparedStatements
    }

    /// The text of the last ``ResponseOwner/writePosition`` or ``ResponseOwner/pinCheck`` answer, as its bytes;
    /// nil if none came or it was NULL.
    public mutating func takeFirstColumn() -> ByteBuffer? {
        guard let value = firstColumn else { return nil }
        firstColumn = nil
        return value
    }

    /// Values read back by the last `.capture` request (nil value: the setting does not exist).
    public mutating func takeCaptured() -> [String: String?] {
        defer { captured.removeAll() }
        return captured
    }

    // MARK: Prepared statements

    /// Whether the proxy prepared `name` here (and marks it used).
    mutating func hasPrepared(_ name: String) -> Bool {
        guard prepared[name] != nil else { return false }
        useClock += 1
        prepared[name] = useClock
        return true
    }

    mutating func notePrepared(_ name: String) {
        useClock += 1
        prepared[name] = useClock
    }

    /// The least recently used statement, when more than `limit` are prepared.
    mutating func evict(beyond limit: Int) -> String? {
        guard prepared.count > limit, let victim = prepared.min(by: { $0.value < $1.value })?.key else { return nil }
        prepared[victim] = nil
        return victim
    }

    /// The server dropped every prepared statement (DISCARD ALL, DEALLOCATE ALL).
    mutating func forgetAllPrepared() { prepared.removeAll() }

    /// The statement must be prepared again before its next use (its cached plan was invalidated).
    mutating func forgetPrepared(_ name: String) { prepared[name] = nil }

    /// Number of statements the proxy prepared here.
    public var preparedCount: Int { prepared.count }

    // MARK: Reading

    /// Classifies one frame from the server and updates the link's state.
    public mutating func receive(_ frame: Frame) -> ServerFrameDisposition {
        guard let head = pending.first else { return unsolicited(frame) }
        let forwardOrSwallow: ServerFrameDisposition = head.owner == .client ? .forward : .swallow
        switch frame.type {
        case MessageType.Backend.readyForQuery:
            guard head.endsWithReady, case .readyForQuery(let newStatus)? = try? BackendMessage.decode(frame) else {
                return .violation("unexpected ReadyForQuery from server")
            }
            status = newStatus
            pop()
            if head.owner == .client { return .forwardReady(newStatus) }
            let error = internalError
            internalError = nil
            switch head.owner {
            case .reset where error == nil:
                parameters = initialParameters
                prepared.removeAll()
            case .parameterSync where error != nil, .loginSync where error != nil, .restore where error != nil:
                isTainted = true
            case .client, .parameterSync, .loginSync, .reset, .hiddenStatement, .capture, .healthCheck, .restore, .writePosition, .pinCheck:
                break
            }
            return .internalDone(head.owner, error)
        case MessageType.Backend.errorResponse:
            // After an error in copy-in mode the server drops the rest of the copy and answers the next Sync.
            copyIn = false
            if head.endsWithReady {
                if head.owner != .client {
                    if internalError == nil, case .errorResponse(let fields)? = try? BackendMessage.decode(frame) { internalError = fields }
                    return .swallow
                }
                return head.errorInstead.map { .forwardInstead($0) } ?? .forward
            }
            // The server now skips every extended-protocol message up to the next Sync, so none of their answers will come.
            // The failed message and every skipped one: their statements were never prepared, and a skipped
            // eviction Close leaves a statement the proxy has forgotten, so the connection can't be trusted.
            while let next = pending.first, !next.endsWithReady {
                if let statement = next.statement { prepared[statement] = nil }
                if let name = next.clientStatement { failedClientStatements.append(name) }
                if next.owner == .hiddenStatement, case .close = next.kind { isTainted = true }
                pending.removeFirst()
            }
            return head.errorInstead.map { .forwardInstead($0) } ?? .forward
        case MessageType.Backend.parameterStatus:
            if case .parameterStatus(let name, let value)? = try? BackendMessage.decode(frame) { parameters[name] = value }
            return forwardOrSwallow
        case MessageType.Backend.parseComplete:
            if case .parse = head.kind, let statement = head.statement { preparedStatements.append(statement) }
            return complete(.parse, head: head)
        case MessageType.Backend.bindComplete:
            return complete(.bind, head: head)
        case MessageType.Backend.closeComplete:
            return complete(.close, head: head)
        case MessageType.Backend.rowDescription, MessageType.Backend.noData:
            if case .describe = head.kind { pop() }
            return forwardOrSwallow
        case MessageType.Backend.commandComplete, MessageType.Backend.emptyQueryResponse, MessageType.Backend.portalSuspended:
            if case .execute = head.kind { pop() }
            return forwardOrSwallow
        case MessageType.Backend.dataRow:
            if case .capture(let names) = head.owner { capture(frame, names: names) }
            if head.owner == .writePosition || head.owner == .pinCheck { firstColumn = Self.firstColumn(of: frame) }
            return forwardOrSwallow
        case MessageType.Backend.notificationResponse:
            return .forward
        case MessageType.Backend.copyInResponse:
            copyInStarted(head: head)
            return forwardOrSwallow
        default:
            return forwardOrSwallow
        }
    }

    /// The server entered copy-in for the head request. It ignores every Sync the client sent after that request
    /// and before ending the copy, so those are owed nothing; an Execute's exchange then waits for a later Sync.
    private mutating func copyInStarted(head: PendingResponse) {
        guard head.kind == .query || head.kind == .execute else { return }
        var kept = CircularBuffer<PendingResponse>(initialCapacity: pending.count)
        var ended = false
        var ignoredSync = false
        for (offset, entry) in pending.enumerated() {
            if offset > 0, !ended, entry.kind == .sync, entry.owner == .client {
                ignoredSync = true
                continue
            }
            if entry.kind == .copyEnd { ended = true }
            kept.append(entry)
        }
        pending = kept
        copyIn = !ended
        if ignoredSync, head.kind == .execute { extendedOpen = true }
    }

    /// A frame with nothing owed: only asynchronous messages are legitimate.
    private mutating func unsolicited(_ frame: Frame) -> ServerFrameDisposition {
        switch frame.type {
        case MessageType.Backend.parameterStatus:
            if case .parameterStatus(let name, let value)? = try? BackendMessage.decode(frame) { parameters[name] = value }
            return .forward
        case MessageType.Backend.noticeResponse, MessageType.Backend.notificationResponse, MessageType.Backend.errorResponse:
            return .forward
        default:
            return .violation("unexpected '\(Unicode.Scalar(frame.type))' from server with nothing outstanding")
        }
    }

    private mutating func complete(_ kind: PendingResponse.Kind, head: PendingResponse) -> ServerFrameDisposition {
        guard head.kind == kind else { return .violation("server answered out of order") }
        pop()
        return head.owner == .client ? .forward : .swallow
    }

    /// Removes the head entry, then releases any answers the proxy made itself that are now next in line.
    private mutating func pop() {
        pending.removeFirst()
        while let next = pending.first {
            switch next.kind {
            case .synthesized(let frame): synthesized.append(frame)
            case .copyEnd: break
            case .query, .parse, .bind, .describe, .execute, .close, .sync, .functionCall: return
            }
            pending.removeFirst()
        }
    }

    /// The first column of a DataRow as a slice of it (nil for SQL NULL or a malformed row): the write
    /// position follows every write, so it skips decoding the whole message and making a string.
    private static func firstColumn(of frame: Frame) -> ByteBuffer? {
        var body = frame.body
        guard let count = body.readInteger(as: Int16.self), count >= 1, let length = body.readInteger(as: Int32.self),
              length >= 0 else { return nil }
        return body.readSlice(length: Int(length))
    }

    private mutating func capture(_ frame: Frame, names: [String]) {
        guard case .dataRow(let columns)? = try? BackendMessage.decode(frame) else { return }
        for (name, column) in zip(names, columns) {
            captured[name] = column.map { String(buffer: $0) }
        }
    }

    // MARK: Reset

    /// Frames that return the connection to a clean state: roll back what is open, then the reset query.
    public mutating func resetFrames(resetQuery: String) -> [ByteBuffer] {
        var frames: [ByteBuffer] = []
        if status != .idle { frames.append(internalQuery("ROLLBACK", owner: .reset)) }
        if !resetQuery.isEmpty { frames.append(internalQuery(resetQuery, owner: .reset)) }
        return frames
    }
}

extension FrontendMessage {
    /// Encodes this message as one frame in a new buffer.
    public var encodedFrame: ByteBuffer {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return buffer
    }
}

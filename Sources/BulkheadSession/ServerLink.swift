// Tracks one server connection's protocol position: whose responses are in flight, its transaction status and parameters.

import BulkheadWire
import NIOCore

/// Who will consume the responses up to one ReadyForQuery.
public enum ResponseOwner: Sendable, Hashable {
    /// The client's own request: responses are forwarded.
    case client
    /// Parameters the proxy applies before a client's work: responses are swallowed.
    case parameterSync
    /// Parameters applied while a client logs in: an error fails the login.
    case loginSync
    /// The reset run before the connection goes back to the pool.
    case reset
}

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
}

/// The state of one server connection as seen by whoever holds it: the pool while idle, a client session while leased.
///
/// It counts ReadyForQuery messages still owed, one per Query, Sync or FunctionCall sent, and remembers
/// who asked for each, so that the proxy can slip its own statements in front of a client's without the
/// client seeing their results.
public struct ServerLink: Sendable {
    /// The pool's ID for the connection.
    public let id: Int
    /// The server's own cancel key, never shown to clients.
    public let backendKey: BackendKey?
    /// What the server reported at login: the values a reset returns to.
    public let initialParameters: ParameterSet
    /// The parameters in force on the connection now, as far as the proxy knows.
    public internal(set) var parameters: ParameterSet
    public private(set) var status: TransactionStatus = .idle
    private var pending: [ResponseOwner] = []
    /// The client sent extended-protocol messages that no Sync has closed yet.
    private var extendedOpen = false
    private var internalError: ErrorFields?
    /// Set when the proxy no longer knows the connection's state (a failed sync, a protocol error).
    public private(set) var isTainted = false

    public init(id: Int, backendKey: BackendKey?, parameters: ParameterSet) {
        self.id = id
        self.backendKey = backendKey
        self.initialParameters = parameters
        self.parameters = parameters
    }

    /// Nothing in flight and no transaction open: the connection may change hands.
    public var isIdle: Bool { pending.isEmpty && !extendedOpen && status == .idle }

    /// Nothing in flight, though a transaction may be open.
    public var isQuiet: Bool { pending.isEmpty && !extendedOpen }

    /// Whether a request of the client's is outstanding.
    public var clientRequestPending: Bool { pending.contains(.client) || extendedOpen }

    /// Records a client frame about to be written to the server.
    public mutating func noteClientFrame(type: UInt8) {
        switch type {
        case MessageType.Frontend.query, MessageType.Frontend.functionCall:
            pending.append(.client)
        case MessageType.Frontend.sync:
            pending.append(.client)
            extendedOpen = false
        case MessageType.Frontend.parse, MessageType.Frontend.bind, MessageType.Frontend.describe,
             MessageType.Frontend.execute, MessageType.Frontend.close, MessageType.Frontend.flush:
            extendedOpen = true
        default:
            break
        }
    }

    /// Builds a Query of the proxy's own whose responses will be swallowed.
    public mutating func internalQuery(_ sql: String, owner: ResponseOwner) -> ByteBuffer {
        pending.append(owner)
        return FrontendMessage.query(sql).encodedFrame
    }

    /// Classifies one frame from the server and updates the link's state.
    public mutating func receive(_ frame: Frame) -> ServerFrameDisposition {
        let owner = pending.first ?? .client
        switch frame.type {
        case MessageType.Backend.readyForQuery:
            guard case .readyForQuery(let newStatus)? = try? BackendMessage.decode(frame) else {
                return .violation("malformed ReadyForQuery from server")
            }
            status = newStatus
            if pending.isEmpty { return .violation("unexpected ReadyForQuery from server") }
            pending.removeFirst()
            if owner == .client { return .forwardReady(newStatus) }
            let error = internalError
            internalError = nil
            if error != nil { isTainted = true }
            if owner == .reset, error == nil { parameters = initialParameters }
            return .internalDone(owner, error)
        case MessageType.Backend.parameterStatus:
            if case .parameterStatus(let name, let value)? = try? BackendMessage.decode(frame) {
                parameters[name] = value
            }
            return owner == .client ? .forward : .swallow
        case MessageType.Backend.errorResponse:
            if owner != .client, internalError == nil, case .errorResponse(let fields)? = try? BackendMessage.decode(frame) {
                internalError = fields
            }
            return owner == .client ? .forward : .swallow
        case MessageType.Backend.notificationResponse, MessageType.Backend.noticeResponse:
            // Asynchronous messages belong to whoever holds the connection.
            return .forward
        default:
            return owner == .client ? .forward : .swallow
        }
    }

    /// Frames that return the connection to a clean state: roll back what is open, then the reset query.
    public mutating func resetFrames(resetQuery: String) -> [ByteBuffer] {
        var frames: [ByteBuffer] = []
        if status != .idle { frames.append(internalQuery("ROLLBACK", owner: .reset)) }
        if !resetQuery.isEmpty { frames.append(internalQuery(resetQuery, owner: .reset)) }
        return frames
    }

    /// Whether a reset is still in flight.
    public var resetPending: Bool { pending.contains(.reset) }

    /// The link after a failed internal request: close it rather than reuse it.
    public mutating func taint() { isTainted = true }
}

extension FrontendMessage {
    /// Encodes this message as one frame in a new buffer.
    public var encodedFrame: ByteBuffer {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return buffer
    }
}

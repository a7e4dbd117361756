// One answer the proxy is owed by a server connection, in the order the requests were written.

import NIOCore

/// Who will consume the responses to one request.
public enum ResponseOwner: Sendable, Hashable {
    /// The client's own request: responses are forwarded.
    case client
    /// Parameters the proxy applies before a client's work: responses are swallowed.
    case parameterSync
    /// Parameters applied while a client logs in: an error fails the login.
    case loginSync
    /// The reset run before the connection goes back to the pool.
    case reset
    /// A statement the proxy prepares (or closes) on the client's behalf: its completion is hidden.
    case hiddenStatement
    /// Reads back settings a client changed: the values are captured.
    case capture([String])
    /// Checks that a connection idle for a while still answers, before a client gets it.
    case healthCheck
    /// Settings put back before a connection returns to the pool (a tiny statement_timeout): an error closes it.
    case restore
    /// Learns the primary's WAL position after a client's write, for read-your-writes: the value is captured,
    /// and an error (the client's transaction had failed) only means nothing is learned.
    case writePosition
    /// Asks a pinned connection how much session state is left: the count is captured, and zero lifts the pin.
    case pinCheck
}

/// A response the server owes for one message written to it.
///
/// Extended-protocol messages each get their own entry, so that the proxy can hide the answers to
/// messages it added (a Parse on a connection that lacked the statement) and stand in for messages it
/// answered itself (a ParseComplete for a statement the connection already had).
struct PendingResponse: Sendable {
    enum Kind: Sendable, Hashable {
        /// A simple Query: ends with ReadyForQuery.
        case query
        case parse
        case bind
        /// Ends with RowDescription or NoData (after ParameterDescription for a statement).
        case describe
        /// Ends with CommandComplete, EmptyQueryResponse or PortalSuspended.
        case execute
        case close
        /// Ends with ReadyForQuery.
        case sync
        /// Ends with ReadyForQuery.
        case functionCall
        /// Nothing is sent: the proxy emits this frame when the entry reaches the head of the queue.
        case synthesized(ByteBuffer)
        /// Nothing is owed: marks where the client ended a COPY FROM STDIN (CopyDone or CopyFail), so that the
        /// Syncs the server ignores during copy-in can be told from those it will answer.
        case copyEnd
    }

    var kind: Kind
    var owner: ResponseOwner
    /// For a Parse of a statement the proxy names: that name, forgotten again if the Parse fails.
    var statement: String? = nil
    /// For a client's Parse of a named statement: the client's name, freed again if the Parse fails.
    var clientStatement: String? = nil
    /// For a refusal the server raises: the ErrorResponse the client sees in place of the server's, which
    /// carries PL/pgSQL's CONTEXT and no position.
    var errorInstead: ByteBuffer? = nil

    /// Requests whose answer ends with ReadyForQuery.
    var endsWithReady: Bool {
        switch kind {
        case .query, .sync, .functionCall: return true
        case .parse, .bind, .describe, .execute, .close, .synthesized, .copyEnd: return false
        }
    }
}

// What a client session asks its channel handler to do after an event.

import BulkheadRouting
import NIOCore

/// How a server connection goes back when a client lets go of it.
public enum ReleaseDisposition: Sendable, Hashable {
    /// Straight back to the pool (transaction mode: the next client's parameters are synced on checkout).
    case reuse
    /// Run the reset query first (session end, or an idle-in-transaction connection).
    case reset
    /// Close it: its state is unknown (a request was in flight, or the server broke the protocol).
    case close
}

/// A server connection handed back, with its state and what to do with it.
public struct ServerRelease: Sendable {
    public var link: ServerLink
    public var disposition: ReleaseDisposition
}

/// How the client connection ends.
public enum SessionClose: Sendable, Hashable {
    /// After writing `toClient`.
    case now
    /// After the authentication-failure delay, then writing `toClient`: every failed login looks alike.
    case afterAuthDelay
}

/// Effects of one session event. The handler performs them in field order.
public struct SessionAction: Sendable {
    /// Frames for the client (raw, already encoded).
    public var toClient: [ByteBuffer] = []
    /// Frames for the attached server connection.
    public var toServer: [ByteBuffer] = []
    /// Ask the pool for a server connection.
    public var acquireServer = false
    /// What the work waiting for that connection does, for routing it to the primary or a replica.
    public var routeFacts = StatementFacts.write
    /// A transaction of this client that wrote has committed at or before this WAL position (read-your-writes).
    public var learnedWriteLSN: LSN?
    /// The client ran `SET bulkhead.route` (or RESET it: `.auto`).
    public var routeOverride: RouteOverride?
    /// Stop waiting for the server connection requested earlier.
    public var cancelAcquire = false
    /// Give the attached server connection back.
    public var release: ServerRelease?
    /// Session pooling with routing: the client's own server connection steps aside, still its own, while a
    /// read is routed. Its frames now go to ``ClientSession/homeFrames(_:)``.
    public var parkHome = false
    /// Session pooling with routing: take the connection that stepped aside back as the attached one, then
    /// call ``ClientSession/homeResumed()``.
    public var resumeHome = false
    /// The connection that stepped aside goes back to the pool too (the client left while a read ran elsewhere).
    public var releaseHome: ServerRelease?
    /// Forward a CancelRequest for this key (from a cancel connection).
    public var cancel: BackendKey?
    /// Close the client connection.
    public var close: SessionClose?

    public init() {}

    /// Adds the effects of a later event to these, keeping the order the handler performs them in.
    mutating func absorb(_ later: SessionAction) {
        toClient += later.toClient
        toServer += later.toServer
        if later.acquireServer {
            acquireServer = true
            routeFacts = later.routeFacts
        }
        if let lsn = later.learnedWriteLSN { learnedWriteLSN = max(learnedWriteLSN ?? lsn, lsn) }
        routeOverride = later.routeOverride ?? routeOverride
        cancelAcquire = cancelAcquire || later.cancelAcquire
        release = later.release ?? release
        parkHome = parkHome || later.parkHome
        resumeHome = resumeHome || later.resumeHome
        releaseHome = later.releaseHome ?? releaseHome
        cancel = later.cancel ?? cancel
        close = later.close ?? close
    }

    static func sendingToClient(_ frames: ByteBuffer...) -> SessionAction {
        var action = SessionAction()
        action.toClient = frames
        return action
    }
}

// What the parser found in a client's SQL that matters to pooling and routing, in terms the session understands.

import BulkheadRouting

/// Effects of one client message on session state, as the SQL classifier saw them.
///
/// The channel handler fills it in from the parse (the session itself never parses SQL), so the session
/// can keep settings, prepared statements and pinning right under transaction pooling.
public struct StatementEffects: Sendable, Hashable {
    /// Settings changed for the rest of the session (SET or RESET, not SET LOCAL), lower-cased.
    public var settings: Set<String>
    /// RESET ALL or DISCARD ALL: settings go back to the session's defaults.
    public var resetsAll: Bool
    /// DISCARD ALL or DEALLOCATE ALL: the server forgets every prepared statement on the connection.
    public var deallocatesAll: Bool
    /// What session state it creates that must stay on one server connection (temporary table, WITH HOLD
    /// cursor, session advisory lock, LISTEN, SQL PREPARE), if any.
    public var sessionState: String?
    /// The session state may have ended (UNLISTEN, DISCARD, CLOSE, DEALLOCATE, DROP, or the end of a
    /// transaction that may have created it): a pinned client's server connection is checked for what is left.
    public var mayEndSessionState = false
    /// The state cannot be checked for (SET SESSION CHARACTERISTICS): the pin stays until the client leaves.
    public var pinsForGood = false
    /// The tenant gate refused the message: the server raises this error in its place.
    public var refusal: StartupCheck.Refusal?

    /// What read/write routing needs to know (Query and Parse only); nil when not classified, which routing
    /// treats as a write.
    public var route: StatementFacts?
    /// The text may start a COPY FROM STDIN: nothing of the proxy's own may be pipelined behind it, because
    /// the server would take it as part of the copy.
    public var mayCopyIn: Bool
    /// `SET bulkhead.route` / `RESET bulkhead.route`: the proxy's own setting, answered without a server.
    public var routeOverride: RouteOverride?
    /// The command tag the proxy answers `routeOverride` with: SET or RESET.
    public var routeOverrideTag = "SET"

    public init(settings: Set<String> = [], resetsAll: Bool = false, deallocatesAll: Bool = false, sessionState: String? = nil,
                refusal: StartupCheck.Refusal? = nil, route: StatementFacts? = nil, mayCopyIn: Bool = false,
                routeOverride: RouteOverride? = nil) {
        self.settings = settings
        self.resetsAll = resetsAll
        self.deallocatesAll = deallocatesAll
        self.sessionState = sessionState
        self.refusal = refusal
        self.route = route
        self.mayCopyIn = mayCopyIn
        self.routeOverride = routeOverride
    }

    public static let none = StatementEffects()

    /// True when the message changes nothing the pooler tracks (routing facts aside).
    public var isNone: Bool {
        settings.isEmpty && !resetsAll && !deallocatesAll && sessionState == nil && refusal == nil && !mayEndSessionState
    }
}

// The session setting `bulkhead.route`, which the proxy tracks itself and never sends to PostgreSQL.

/// A session's choice of where its statements go (`SET bulkhead.route = primary|replica|auto`).
public enum RouteOverride: String, Sendable, Hashable, CaseIterable {
    /// Everything goes to the primary.
    case primary
    /// Everything goes to a healthy replica, read-your-writes aside; writes then fail as PostgreSQL refuses them.
    case replica
    /// Reads and writes are told apart (the default).
    case auto

    /// The setting's name as clients write it.
    public static let settingName = "bulkhead.route"

    /// Reads a `SET` value case-insensitively, as PostgreSQL reads enum settings; nil for anything else.
    public init?(settingValue: some StringProtocol) {
        self.init(rawValue: settingValue.lowercased())
    }
}

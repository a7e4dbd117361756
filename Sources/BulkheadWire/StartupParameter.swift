// One name/value pair of a StartupMessage.

/// A run-time parameter or protocol option (`_pq_.` prefix) sent in a StartupMessage.
public struct StartupParameter: Sendable, Hashable {
    /// Parameter name, e.g. "user", "database", "application_name" or "_pq_.something".
    public var name: String
    /// Parameter value; may be empty.
    public var value: String

    /// Creates a parameter.
    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

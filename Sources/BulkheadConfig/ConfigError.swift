// One configuration problem, located by file, line and full key.

/// A single problem found while loading the configuration.
///
/// Its description reads like a compiler diagnostic, `config/bulkhead.toml:14: databases[0].pool_size: ...`,
/// so editors and terminals can jump to the offending line.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file the configuration came from, as given to `load(path:)` or `parse(_:file:)`.
    public var file: String
    /// The 1-based line of the offending key, or of its enclosing table when the key itself is absent.
    public var line: Int?
    /// The full key path, such as `tenants[0].users[1].password`; empty for whole-file problems.
    public var key: String
    /// What is wrong, phrased to follow the key.
    public var message: String

    public init(file: String, line: Int?, key: String, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if !key.isEmpty { text += key + ": " }
        return text + message
    }
}

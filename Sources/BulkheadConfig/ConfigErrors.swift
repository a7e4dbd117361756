// Every problem found in one configuration file, reported together.

/// All the problems found in a configuration, so one edit-reload cycle can fix them all.
public struct ConfigErrors: Error, Sendable, Hashable, CustomStringConvertible {
    /// The problems, ordered by line (problems without a line come last).
    public var errors: [ConfigError]

    public init(errors: [ConfigError]) {
        self.errors = errors
    }

    /// A whole-file problem (unreadable file, TOML syntax) that stops loading before any key is read.
    init(file: String, line: Int?, message: String) {
        self.init(errors: [ConfigError(file: file, line: line, key: "", message: message)])
    }

    /// One problem per line.
    public var description: String {
        errors.map(\.description).joined(separator: "\n")
    }
}

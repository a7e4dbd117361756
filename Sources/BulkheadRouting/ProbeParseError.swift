// Why a health-check row could not be understood.

/// A health-check answer that does not have the expected shape; the owner treats it as a failed check.
public enum ProbeParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The row has the wrong number of columns.
    case columnCount(expected: Int, got: Int)
    /// `pg_is_in_recovery()` was not `t` or `f`.
    case badBoolean(String?)
    /// A WAL position was not in the `X/Y` form.
    case badLSN(String)
    /// The lag was not a finite number of seconds.
    case badLag(String)

    public var description: String {
        switch self {
        case .columnCount(let expected, let got): return "health check returned \(got) columns, expected \(expected)"
        case .badBoolean(let text): return "health check returned \(text.map { "'\($0)'" } ?? "NULL") for pg_is_in_recovery()"
        case .badLSN(let text): return "health check returned '\(text)' for a WAL position"
        case .badLag(let text): return "health check returned '\(text)' for the replay lag"
        }
    }
}

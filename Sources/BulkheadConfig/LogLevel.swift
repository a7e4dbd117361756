// How much the proxy logs.

/// The minimum severity that is logged, mirroring swift-log's levels.
public enum LogLevel: String, Sendable, Hashable, CaseIterable {
    case trace
    case debug
    case info
    case notice
    case warning
    case error
    case critical
}

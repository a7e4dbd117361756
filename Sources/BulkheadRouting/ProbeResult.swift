// One successful health check of one node.

/// What a health check learned about a node.
public struct ProbeResult: Sendable, Hashable {
    /// `pg_is_in_recovery()`.
    public var inRecovery: Bool
    /// On a primary, `pg_current_wal_lsn()`: how far replicas have to go.
    public var walLSN: LSN?
    /// On a replica, `pg_last_wal_replay_lsn()`: what reads there can see.
    public var replayLSN: LSN?
    /// On a replica, how long ago the last replayed transaction committed (zero when caught up).
    public var replayLag: Duration?

    public init(inRecovery: Bool, walLSN: LSN? = nil, replayLSN: LSN? = nil, replayLag: Duration? = nil) {
        self.inRecovery = inRecovery
        self.walLSN = walLSN
        self.replayLSN = replayLSN
        self.replayLag = replayLag
    }

    /// A node out of recovery at `walLSN`.
    public static func primary(walLSN: LSN?) -> ProbeResult {
        ProbeResult(inRecovery: false, walLSN: walLSN)
    }

    /// A node in recovery that has replayed up to `replayLSN`.
    public static func replica(replayLSN: LSN?, lag: Duration? = nil) -> ProbeResult {
        ProbeResult(inRecovery: true, replayLSN: replayLSN, replayLag: lag)
    }

    /// Lags beyond this are reported as this, so absurd numbers from a broken clock cannot overflow `Duration`.
    static let longestLag: Double = 1_000_000_000

    /// Reads the text columns of ``RoutingQueries/healthCheck`` (nil for SQL NULL).
    public init(columns: [String?]) throws(ProbeParseError) {
        guard columns.count == 4 else { throw .columnCount(expected: 4, got: columns.count) }
        switch columns[0] {
        case "t"?: inRecovery = true
        case "f"?: inRecovery = false
        default: throw .badBoolean(columns[0])
        }
        walLSN = try ProbeResult.lsn(columns[1])
        replayLSN = try ProbeResult.lsn(columns[2])
        if let text = columns[3] {
            guard let seconds = Double(text), seconds.isFinite else { throw .badLag(text) }
            // A replica's clock slightly ahead of the primary's gives a negative age: that is no lag.
            replayLag = .seconds(min(max(seconds, 0), ProbeResult.longestLag))
        } else {
            replayLag = nil
        }
    }

    private static func lsn(_ text: String?) throws(ProbeParseError) -> LSN? {
        guard let text else { return nil }
        guard let lsn = LSN(text) else { throw .badLSN(text) }
        return lsn
    }
}

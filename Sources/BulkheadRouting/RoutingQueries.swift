// The SQL the owner runs on nodes so that routing learns roles, lag and WAL positions.

/// Queries whose answers feed ``Topology`` and ``ConsistencyTracker``.
public enum RoutingQueries {
    /// The periodic health check; its row parses with ``ProbeResult/init(columns:)``.
    ///
    /// The lag column is zero when everything received has been replayed, because the time since the last
    /// replayed transaction also grows while the primary is simply idle, which is not lag.
    public static let healthCheck = """
        SELECT pg_is_in_recovery(), \
        CASE WHEN pg_is_in_recovery() THEN NULL ELSE pg_current_wal_lsn() END, \
        pg_last_wal_replay_lsn(), \
        CASE WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 \
        ELSE EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) END
        """

    /// Pipelined after a commit that wrote: a position at or after the commit record, for ``ConsistencyTracker``.
    ///
    /// A synchronous commit has been flushed before the client hears of it, so the flush position covers it,
    /// and replicas can always reach it. The insert position would also count WAL that other sessions
    /// inserted and nobody has flushed yet (heap pruning by reads, for one): an idle WAL writer may sleep for
    /// seconds before flushing it, and until then no replica could serve the client's reads. Only a session
    /// that commits asynchronously needs the insert position, which its commit wakes the WAL writer to flush.
    public static let writePosition = """
        SELECT CASE WHEN pg_catalog.current_setting('synchronous_commit') = 'off' \
        THEN pg_catalog.pg_current_wal_insert_lsn() ELSE pg_catalog.pg_current_wal_flush_lsn() END
        """

    /// The on-demand freshness check of one replica, answering ``RouteTarget/checkReplica(_:needs:)``.
    public static let replayPosition = "SELECT pg_last_wal_replay_lsn()"
}

// The WAL position a read must be able to see, and since when it has been required.

/// A read under this requirement may go only to the primary or to a replica that has replayed `lsn`.
public struct ReadRequirement: Sendable, Hashable {
    /// A position at or after the commit of the scope's last write.
    public var lsn: LSN
    /// When the proxy learned `lsn`: replica observations older than this cannot have seen it yet.
    public var recordedAt: ContinuousClock.Instant

    public init(lsn: LSN, recordedAt: ContinuousClock.Instant) {
        self.lsn = lsn
        self.recordedAt = recordedAt
    }
}

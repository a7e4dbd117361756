// Remembers, per session or tenant, the WAL position its reads must see (read-your-writes).

/// The last write position of each scope, bounded in memory without ever weakening the guarantee.
///
/// After a transaction that wrote commits, the owner pipelines ``RoutingQueries/writePosition`` on the primary and
/// records the answer. A read of that scope then needs a replica that has replayed it. Scopes that are forgotten for
/// room or age are not dropped but folded into one shared floor that every read must meet, so an evicted session
/// can only be served more consistently, never less.
public struct ConsistencyTracker: Sendable {
    public typealias Instant = ContinuousClock.Instant

    private struct Entry: Sendable {
        var requirement: ReadRequirement
        /// Matches the newest queue slot of this key; older slots are stale.
        var sequence: Int
    }

    public let settings: ConsistencySettings
    private var entries: [ConsistencyKey: Entry] = [:]
    /// Keys in order of their last write; a key appears again on every write and only its newest slot counts.
    private var order: [(key: ConsistencyKey, sequence: Int)] = []
    private var orderStart = 0
    private var nextSequence = 0
    /// The highest position folded in from forgotten scopes: every read must see it.
    public private(set) var floor: ReadRequirement?
    /// Writes since ``expire(now:)`` last ran. Writes run it once every ``writesPerExpiry``, not every time:
    /// the owner also runs it on a timer, and folding a scope a little late only keeps it exact a little longer.
    private var writesSinceExpiry = 0
    static let writesPerExpiry = 256

    public init(settings: ConsistencySettings = ConsistencySettings()) {
        self.settings = settings
    }

    /// Scopes currently remembered individually.
    public var count: Int { entries.count }

    /// A transaction of `key` that wrote committed at or before `lsn`.
    public mutating func recordWrite(_ lsn: LSN, for key: ConsistencyKey, now: Instant) {
        let sequence = nextSequence
        nextSequence += 1
        // One lookup in the common case: every write of a busy session lands here.
        let entry = Entry(requirement: ReadRequirement(lsn: lsn, recordedAt: now), sequence: sequence)
        if let previous = entries.updateValue(entry, forKey: key), previous.requirement.lsn > lsn {
            // Positions learned out of order: a requirement never goes back.
            entries[key]?.requirement = ReadRequirement(lsn: previous.requirement.lsn, recordedAt: now)
        }
        if orderStart < order.count, order[order.count - 1].key == key {
            // The same scope wrote last too: its slot moves rather than leaving a stale one behind.
            order[order.count - 1].sequence = sequence
        } else {
            order.append((key, sequence))
        }
        writesSinceExpiry += 1
        if writesSinceExpiry >= Self.writesPerExpiry { expire(now: now) }
        while entries.count > settings.capacity, foldOldest() {}
    }

    /// What a read of `key` must be able to see; nil when anything will do.
    public func requirement(for key: ConsistencyKey) -> ReadRequirement? {
        guard let own = entries[key]?.requirement else { return floor }
        guard let floor, floor.lsn > own.lsn else { return own }
        return floor
    }

    /// The scope ended (a session disconnected): nobody reads under it any more, so it needs no floor.
    public mutating func forget(_ key: ConsistencyKey) {
        entries[key] = nil
        compactOrder()
    }

    /// Folds scopes not written for ``ConsistencySettings/retention`` into the floor.
    public mutating func expire(now: Instant) {
        writesSinceExpiry = 0
        while let head = liveHead(), now - head.requirement.recordedAt >= settings.retention {
            _ = foldOldest()
        }
        compactOrder()
    }

    /// The oldest entry still remembered, skipping queue slots that later writes or `forget` made stale.
    private mutating func liveHead() -> Entry? {
        while orderStart < order.count {
            let slot = order[orderStart]
            if let entry = entries[slot.key], entry.sequence == slot.sequence { return entry }
            orderStart += 1
        }
        return nil
    }

    private mutating func foldOldest() -> Bool {
        guard let oldest = liveHead() else { return false }
        let key = order[orderStart].key
        orderStart += 1
        entries[key] = nil
        if oldest.requirement.lsn > floor?.lsn ?? .zero { floor = oldest.requirement }
        return true
    }

    /// Rebuilds the queue from live slots once stale ones (consumed, rewritten or forgotten keys) outnumber them,
    /// so a busy session writing behind an old idle one cannot grow the queue without bound.
    private mutating func compactOrder() {
        guard order.count - orderStart > 2 * entries.count + 64 else { return }
        order = order[orderStart...].filter { entries[$0.key]?.sequence == $0.sequence }
        orderStart = 0
    }
}

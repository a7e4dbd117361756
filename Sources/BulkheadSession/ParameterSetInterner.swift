// Shares one copy of each distinct set of client settings among the sessions that want it.

import Synchronization

/// Hands out one shared instance per distinct ``ParameterSet``.
///
/// Why: every connection checkout compares the client's wanted settings with what the connection was last
/// brought in line with (``ServerLink/syncedWanted``). Clients of one application log in with the same
/// settings; when they share one instance, that comparison is an identity check instead of a walk over
/// every setting. Bounded: past `capacity` distinct sets, new ones are returned as they are, unshared, so a
/// client cycling through settings cannot grow it without limit.
public final class ParameterSetInterner: Sendable {
    private let table: Mutex<[ParameterSet: ParameterSet]>
    private let capacity: Int

    public init(capacity: Int = 1_024) {
        self.table = Mutex([:])
        self.capacity = capacity
    }

    /// The shared instance equal to `set` (`set` itself when it is the first of its kind, or the table is full).
    public func intern(_ set: ParameterSet) -> ParameterSet {
        table.withLock { table in
            if let shared = table[set] { return shared }
            if table.count < capacity { table[set] = set }
            return set
        }
    }

    public var count: Int { table.withLock { $0.count } }
}

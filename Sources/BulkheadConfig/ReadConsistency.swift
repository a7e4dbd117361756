// What a read routed to a replica may miss.

/// The guarantee given to reads when they are split to replicas.
public enum ReadConsistency: String, Sendable, Hashable, CaseIterable {
    /// After a write, reads go to the primary until replicas have replayed it.
    case readYourWrites = "read-your-writes"
    /// Reads may go to any healthy replica, even one that has not caught up.
    case eventual
}

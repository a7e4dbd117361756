// The statements that some server connection has prepared without error, shared by every client session.

import Synchronization

/// Statement texts known to prepare cleanly, per database and user.
///
/// Why: under transaction pooling a Parse outside a transaction would otherwise wait for a server connection
/// just to be told ParseComplete. A client that prepares synchronously while its other work holds
/// connections (pgbench `-M prepared` prepares each client's script while its thread's other clients sit
/// in open transactions) can then wait on itself until `query_wait_timeout`. A Parse of a text known here is
/// answered at once; the statement is prepared, hidden, on whatever connection the client's Bind or
/// Describe lands on, as any statement a connection lacks. Bounded: once full, nothing new is learned.
public final class PreparedStatementRegistry: Sendable {
    private let known: Mutex<Set<String>>
    private let capacity: Int

    public init(capacity: Int = 10_000) {
        self.known = Mutex([])
        self.capacity = capacity
    }

    public func contains(_ key: String) -> Bool {
        known.withLock { $0.contains(key) }
    }

    public func insert(_ key: String) {
        known.withLock { set in
            if set.count < capacity { set.insert(key) }
        }
    }

    /// The key of a statement's server name, for the clients of one database and user.
    public static func key(database: String, user: String, serverName: String) -> String {
        "\(database)\u{0}\(user)\u{0}\(serverName)"
    }
}

// The statements that some server connection has prepared without error, shared by every client session.

import Synchronization

/// Statement texts known to prepare cleanly, per database and user.
///
/// Why: under transaction pooling a Parse outside a transaction would otherwise wait for a server connection
/// just to be told ParseComplete. A client that prepares synchronously while its other work holds
/// connections (pgbench `-M prepared` prepares each client's script while its thread's other clients sit
/// in open transactions) can then wait on itself until `query_wait_timeout`. A Parse of a text known here is
/// answered at once; the statement is prepared, hidden, on whatever connection the client's Bind or
/// Describe lands on, as any statement a connection lacks.
///
/// Bounded per database and user: once an owner's share is full, nothing new is learned for it, so one
/// tenant preparing thousands of texts cannot crowd out another's.
public final class PreparedStatementRegistry: Sendable {
    /// Whose statements: validity depends on the database and on the role the user's connections act as.
    public struct Owner: Hashable, Sendable {
        public let database: String
        public let user: String

        public init(database: String, user: String) {
            self.database = database
            self.user = user
        }
    }

    private let known: Mutex<[Owner: Set<String>]>
    private let capacityPerOwner: Int

    public init(capacityPerOwner: Int = 2_000) {
        self.known = Mutex([:])
        self.capacityPerOwner = capacityPerOwner
    }

    /// True when a server prepared the statement with this server-side name for this owner without error.
    public func contains(_ serverName: String, for owner: Owner) -> Bool {
        known.withLock { $0[owner]?.contains(serverName) ?? false }
    }

    public func insert(_ serverName: String, for owner: Owner) {
        known.withLock { table in
            if table[owner, default: []].count < capacityPerOwner { table[owner, default: []].insert(serverName) }
        }
    }
}

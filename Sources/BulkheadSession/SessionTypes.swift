// Small value types the session state machines share with their owner.

import BulkheadAuth

/// When a client gives its server connection back.
public enum PoolMode: String, Sendable, Hashable, CaseIterable {
    /// At the end of the client's session.
    case session
    /// When the server reports ReadyForQuery `I` and nothing is pending.
    case transaction
    /// After every statement; multi-statement transactions are refused.
    case statement
}

/// How a client proves who it is.
public enum ClientAuthMethod: String, Sendable, Hashable {
    case scramSHA256 = "scram-sha-256"
    case md5
    case trust
}

/// A (process ID, secret) pair identifying a backend for CancelRequest.
public struct BackendKey: Sendable, Hashable {
    public var processID: Int32
    public var secretKey: Int32
    public init(processID: Int32, secretKey: Int32) {
        self.processID = processID
        self.secretKey = secretKey
    }
}

/// What the owner learned from the configuration about the user and database named in a startup packet.
public struct LoginPolicy: Sendable {
    /// The user exists and may use the database.
    public var userKnown: Bool
    /// The database exists (checked only after a correct password, as PostgreSQL does).
    public var databaseKnown: Bool
    public var method: ClientAuthMethod
    /// The stored secret; nil for trust or unknown users.
    public var secret: StoredSecret?
    public var poolMode: PoolMode
    /// Set when the login must be refused even with the right password (checked after authentication).
    public var refusal: StartupCheck.Refusal?
    /// What a server of the pool reported at login, when one has logged in before. With it the client's login
    /// completes without waiting for a server connection, which is taken only when the client sends work.
    public var welcomeParameters: ParameterSet?
    /// Settings the proxy owns for this user (a tenant's search_path and role): applied on every server
    /// connection the client gets, whatever the client asks for.
    public var forcedParameters = ParameterSet()
    /// Keeps this user's prepared statements apart from other users' on shared connections (the tenant).
    public var statementNamespace = ""
    /// Reads may go to replicas: the session then keeps replica leases free of writes (transaction and
    /// statement pooling only; a session-pooled client stays on the primary).
    public var routesReads = false
    /// Read-your-writes: the session learns the primary's WAL position after each transaction that wrote.
    public var tracksWrites = false

    public init(userKnown: Bool, databaseKnown: Bool, method: ClientAuthMethod, secret: StoredSecret?, poolMode: PoolMode,
                refusal: StartupCheck.Refusal? = nil) {
        self.userKnown = userKnown
        self.databaseKnown = databaseKnown
        self.method = method
        self.secret = secret
        self.poolMode = poolMode
        self.refusal = refusal
    }
}

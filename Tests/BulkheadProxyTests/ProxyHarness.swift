// Wires clients and fake servers to one ProxyRuntime on an EmbeddedEventLoop, back to back.

import BulkheadWire
@testable import BulkheadProxy
import NIOCore
import NIOEmbedded

/// A proxy runtime whose clients and servers are all in-memory channels on one embedded loop.
final class ProxyHarness {
    let loop = EmbeddedEventLoop()
    let plan: ProxyPlan
    let connector: FakeServerConnector
    let runtime: ProxyRuntime
    private var nextServerKey: Int32 = 5000

    /// A client after a successful login.
    struct Session {
        let client: TestClient
        /// The connection the pool opened for this login, if it opened one (only a pool's first login does).
        let newServer: FakeServer?
        /// The cancel key the proxy gave the client.
        let proxyKey: CancelKey
        /// What the client received, AuthenticationOk to ReadyForQuery.
        let messages: [BackendMessage]
    }

    init(_ configuration: TestConfiguration = TestConfiguration()) throws {
        plan = try configuration.plan()
        connector = FakeServerConnector(loop: loop)
        runtime = ProxyRuntime(plan: plan, loops: [loop], logger: .init(label: "bulkhead.proxy-tests"), connector: connector)
    }

    /// Runs everything queued on the loop, as a real loop would before the next I/O.
    func run() { loop.run() }

    /// A connected client channel with the pipeline ProxyServer gives accepted connections.
    func connectClient() throws -> TestClient {
        let channel = EmbeddedChannel(loop: loop)
        let underLimit = runtime.clientArrived()
        try channel.pipeline.syncOperations.addHandler(ClosedSocketHandler())
        try channel.pipeline.syncOperations.addHandler(ClientHandler(runtime: runtime, eventLoop: loop, overLimit: !underLimit))
        channel.connect(to: try SocketAddress(ipAddress: "198.51.100.7", port: 40000), promise: nil)
        return TestClient(channel: channel)
    }

    /// A fresh, distinct server cancel key.
    func makeServerKey() -> CancelKey {
        nextServerKey += 1
        return CancelKey(processID: nextServerKey, secretKey: 0x5EC0_0000 | nextServerKey)
    }

    /// Logs a trust user in on a new client; when the pool opens a connection for it, plays that server's login.
    ///
    /// Only a pool's first login takes a server connection; once a server has logged in, later logins complete
    /// from the parameters the pool remembers, and `newServer` is nil.
    func loginTrust(user: String = TestConfiguration.trustUser, parameters: [(String, String)] = [],
                    serverKey: CancelKey? = nil) throws -> Session {
        let client = try connectClient()
        return try loginTrust(client, user: user, parameters: parameters, serverKey: serverKey)
    }

    func loginTrust(_ client: TestClient, user: String = TestConfiguration.trustUser, parameters: [(String, String)] = [],
                    serverKey: CancelKey? = nil) throws -> Session {
        let opened = connector.connections.count
        try client.sendStartup(user: user, parameters: parameters)
        run()
        let newServer = try acceptLoginOfConnection(openedAfter: opened, serverKey: serverKey)
        let messages = try client.receivedMessages()
        guard case .readyForQuery(.idle)? = messages.last, let key = messages.backendKey else {
            throw TestFailure("login of \(user) did not complete; client received \(messages)")
        }
        return Session(client: client, newServer: newServer, proxyKey: key, messages: messages)
    }

    /// Sends `messages` from `client` as one read; when the pool opens a connection to serve them, plays its login.
    /// Returns that new connection, or nil when none was opened (an idle one served the client, or it waits).
    @discardableResult
    func send(_ messages: FrontendMessage..., from client: TestClient, serverKey: CancelKey? = nil) throws -> FakeServer? {
        try send(messages, from: client, serverKey: serverKey)
    }

    @discardableResult
    func send(_ messages: [FrontendMessage], from client: TestClient, serverKey: CancelKey? = nil) throws -> FakeServer? {
        let opened = connector.connections.count
        try client.send(raw: WireDecoding.encode(messages))
        run()
        return try acceptLoginOfConnection(openedAfter: opened, serverKey: serverKey)
    }

    /// Plays the login of the newest connection if the pool opened one since there were `count`.
    private func acceptLoginOfConnection(openedAfter count: Int, serverKey: CancelKey?) throws -> FakeServer? {
        guard connector.connections.count > count, let server = connector.servers.last else { return nil }
        try server.acceptLogin(key: serverKey ?? makeServerKey())
        run()
        return server
    }
}

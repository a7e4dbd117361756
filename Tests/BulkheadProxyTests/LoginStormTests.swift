// A storm of logins queued behind one server connection: each is served in turn without the stack growing.

@testable import BulkheadProxy
import BulkheadWire
import XCTest

final class LoginStormTests: XCTestCase {
    /// Until the pool knows the server's parameters, every login waits for a connection, takes it only to
    /// read them, and gives it straight back. Handing it on to the next waiter inside that return nested one
    /// call chain per client, and a storm of a few thousand overflowed the stack (signal 11 in CI).
    func testThousandsOfLoginsWaitingForTheFirstConnectionAreServedInTurn() throws {
        var configuration = TestConfiguration()
        configuration.poolSize = 1
        configuration.maxClientConnections = 6000
        configuration.poolMode = "transaction"
        let harness = try ProxyHarness(configuration)

        let clients = try (0..<5000).map { _ in try harness.connectClient() }
        for client in clients { try client.sendStartup(user: TestConfiguration.trustUser) }
        harness.run()
        XCTAssertEqual(harness.connector.connections.count, 1, "pool_size 1: one connection for the whole storm")

        let server = try XCTUnwrap(harness.connector.servers.first)
        try server.acceptLogin(key: harness.makeServerKey())
        harness.run()

        var served = 0
        for client in clients {
            let messages = try client.receivedMessages()
            if case .readyForQuery(.idle)? = messages.last, messages.backendKey != nil { served += 1 }
        }
        XCTAssertEqual(served, clients.count, "every queued login completes once the connection is up")
        XCTAssertTrue(server.isOpen)
        XCTAssertEqual(harness.runtime.pools.stats().values.map { $0.idle + $0.leased }.reduce(0, +), 1)
    }
}

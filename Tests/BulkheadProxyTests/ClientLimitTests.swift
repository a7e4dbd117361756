// max_client_connections: a client over the limit is refused with 53300 once it sends its startup packet.

@testable import BulkheadProxy
import BulkheadWire
import XCTest

final class ClientLimitTests: XCTestCase {
    func testClientOverTheLimitGets53300AfterItsStartupPacket() throws {
        var configuration = TestConfiguration()
        configuration.maxClientConnections = 1
        let harness = try ProxyHarness(configuration)
        let first = try harness.loginTrust()

        let second = try harness.connectClient()
        harness.run()
        XCTAssertEqual(try second.receivedBytes().readableBytes, 0, "nothing is said before the client speaks")
        XCTAssertFalse(second.isClosed)

        try second.sendStartup(user: TestConfiguration.trustUser)
        harness.run()

        let messages = try second.receivedMessages()
        XCTAssertEqual(messages.errors.map(\.sqlState), ["53300"], "\(messages)")
        XCTAssertEqual(messages.count, 1)
        XCTAssertTrue(second.isClosed)
        XCTAssertEqual(harness.connector.connections.count, 1, "a refused client must not open a server connection")
        XCTAssertEqual(harness.runtime.clientCount, 1, "the refused client no longer counts once gone")
        XCTAssertFalse(first.client.isClosed)
    }
}

// A CancelRequest naming a client's proxy key reaches that client's server under the server's own key, and nothing else does.

import BulkheadWire
import NIOCore
import XCTest

final class CancelTests: XCTestCase {
    func testCancelRequestIsForwardedWithTheServersKeyOnANewConnection() throws {
        let harness = try ProxyHarness()
        let serverKey = CancelKey(processID: 4711, secretKey: -123_456_789)
        let session = try harness.loginTrust(serverKey: serverKey)
        let server = try XCTUnwrap(session.newServer)
        try session.client.send(.query("SELECT pg_sleep(60)"))
        harness.run()
        _ = try server.receivedBytes()

        let canceller = try harness.connectClient()
        try canceller.send(.cancel(CancelRequest(processID: session.proxyKey.processID, secretKey: session.proxyKey.secretKey)))
        harness.run()

        XCTAssertEqual(harness.connector.connections.count, 2, "one new connection carries the cancel")
        let cancelConnection = try XCTUnwrap(harness.connector.connections.last)
        XCTAssertEqual(cancelConnection.node.name, TestConfiguration.nodeName)
        let packet = try StartupPacket.decode(try cancelConnection.server.receivedBytes())
        XCTAssertEqual(packet, .cancel(CancelRequest(processID: serverKey.processID, secretKey: serverKey.secretKey)))
        XCTAssertFalse(cancelConnection.server.isOpen, "the cancel connection closes after sending")

        XCTAssertTrue(canceller.isClosed)
        XCTAssertEqual(try canceller.receivedBytes().readableBytes, 0, "a cancel gets no answer")
        XCTAssertTrue(server.isOpen, "the cancelled session's own server connection is untouched")
        XCTAssertFalse(session.client.isClosed)
    }

    func testCancelRequestWithAWrongSecretOrUnknownProcessOpensNothing() throws {
        let harness = try ProxyHarness()
        let session = try harness.loginTrust()
        try session.client.send(.query("SELECT pg_sleep(60)"))
        harness.run()

        let wrongKeys = [
            CancelRequest(processID: session.proxyKey.processID, secretKey: session.proxyKey.secretKey ^ 1),
            CancelRequest(processID: session.proxyKey.processID &+ 1, secretKey: session.proxyKey.secretKey),
        ]
        for request in wrongKeys {
            let canceller = try harness.connectClient()
            try canceller.send(.cancel(request))
            harness.run()
            XCTAssertTrue(canceller.isClosed)
            XCTAssertEqual(try canceller.receivedBytes().readableBytes, 0)
        }
        XCTAssertEqual(harness.connector.connections.count, 1, "no cancel connection may be opened for a wrong key")
    }
}

// A logged-in client's traffic passes through the proxy unchanged in both directions.

import BulkheadWire
import NIOCore
import XCTest

final class QueryForwardingTests: XCTestCase {
    static let resultMessages: [BackendMessage] = [
        .rowDescription([FieldDescription(name: "n", tableOID: 0, columnAttribute: 0, dataTypeOID: 23,
                                          dataTypeSize: 4, typeModifier: -1, format: 0)]),
        .dataRow([ByteBuffer(string: "1")]),
        .dataRow([nil]),
        .commandComplete("SELECT 2"),
        .readyForQuery(.idle),
    ]

    func testQueryAndItsResultsCrossTheProxyByteForByte() throws {
        let harness = try ProxyHarness()
        let session = try harness.loginTrust()
        let server = try XCTUnwrap(session.newServer)

        let query = WireDecoding.encode([.query("SELECT n FROM generate_series(1, 2) n")])
        try session.client.send(raw: query)
        harness.run()
        XCTAssertEqual(try server.receivedBytes(), query)

        let results = WireDecoding.encode(Self.resultMessages)
        try server.send(raw: results)
        harness.run()
        XCTAssertEqual(try session.client.receivedBytes(), results)
        XCTAssertFalse(session.client.isClosed)
    }

    func testResultsSplitAcrossReadsArriveWholeAndUnchanged() throws {
        let harness = try ProxyHarness()
        let session = try harness.loginTrust()
        let server = try XCTUnwrap(session.newServer)

        let pipelined = WireDecoding.encode([
            .parse(Parse(name: "", query: "SELECT $1::int4", parameterTypes: [23])),
            .bind(Bind(portal: "", statement: "", parameterFormats: [], parameters: [ByteBuffer(string: "1")], resultFormats: [])),
            .describe(Describe(target: .portal(""))),
            .execute(Execute(portal: "", maxRows: 0)),
            .sync,
        ])
        try session.client.send(raw: pipelined)
        harness.run()
        XCTAssertEqual(try server.receivedBytes(), pipelined)

        // The extended protocol's answer; cut it in the middle of a frame header and of a frame body.
        let results = WireDecoding.encode([.parseComplete, .bindComplete] + Self.resultMessages)
        let cuts = [3, 27, results.readableBytes]
        var start = 0
        for end in cuts {
            try server.send(raw: try XCTUnwrap(results.getSlice(at: start, length: end - start)))
            harness.run()
            start = end
        }
        XCTAssertEqual(try session.client.receivedBytes(), results)
        XCTAssertFalse(session.client.isClosed)
    }

    func testQueryPipelinedBehindTheStartupPacketReachesTheServerAfterItsLogin() throws {
        let harness = try ProxyHarness()
        let client = try harness.connectClient()
        var bytes = ByteBuffer()
        StartupPacket.startup(StartupMessage(parameters: [
            StartupParameter(name: "user", value: TestConfiguration.trustUser),
            StartupParameter(name: "database", value: TestConfiguration.database),
        ])).encode(into: &bytes)
        let query = WireDecoding.encode([.query("SELECT 3")])
        bytes.writeImmutableBuffer(query)

        try client.send(raw: bytes)
        harness.run()
        let server = try XCTUnwrap(harness.connector.servers.first)
        try server.acceptLogin(key: harness.makeServerKey())
        harness.run()

        XCTAssertEqual(try server.receivedBytes(), query, "the query follows the login, unchanged")
        XCTAssertEqual(try client.receivedMessages().last, .readyForQuery(.idle))
    }
}

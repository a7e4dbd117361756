// The test's side of one client connection: sends what a PostgreSQL client would and reads what the proxy answers.

import BulkheadWire
import NIOCore
import NIOEmbedded

/// One in-memory client connection to the proxy.
struct TestClient {
    let channel: EmbeddedChannel

    var isClosed: Bool { !channel.isActive }

    func send(raw bytes: ByteBuffer) throws {
        try channel.writeInbound(bytes)
    }

    func send(_ messages: FrontendMessage...) throws {
        try send(raw: WireDecoding.encode(messages))
    }

    func send(_ packet: StartupPacket) throws {
        var buffer = ByteBuffer()
        packet.encode(into: &buffer)
        try send(raw: buffer)
    }

    /// Sends a StartupMessage naming `user` and `database`, followed by any run-time `parameters`.
    func sendStartup(user: String, database: String = TestConfiguration.database, parameters: [(String, String)] = []) throws {
        try send(.startup(StartupMessage(parameters: [
            StartupParameter(name: "user", value: user),
            StartupParameter(name: "database", value: database),
        ] + parameters.map { StartupParameter(name: $0.0, value: $0.1) })))
    }

    /// Everything the proxy wrote since the last call, as one buffer.
    func receivedBytes() throws -> ByteBuffer {
        var all = ByteBuffer()
        while var chunk = try channel.readOutbound(as: ByteBuffer.self) { all.writeBuffer(&chunk) }
        return all
    }

    func receivedMessages() throws -> [BackendMessage] {
        try WireDecoding.backendMessages(in: receivedBytes())
    }
}

// The test's side of one server connection: reads what the proxy sent and answers as PostgreSQL would.

import BulkheadWire
import NIOCore
import NIOEmbedded

/// One in-memory server connection opened by the proxy, played by the test.
struct FakeServer {
    let channel: EmbeddedChannel

    /// Parameters the fake server reports at login (application_name is reported, empty, as PostgreSQL does).
    static let reportedParameters = [
        ("application_name", ""), ("client_encoding", "UTF8"), ("DateStyle", "ISO, MDY"), ("server_version", "16.4"),
        ("TimeZone", "UTC"),
    ]

    var isOpen: Bool { channel.isActive }

    /// Everything the proxy wrote since the last call, as one buffer.
    func receivedBytes() throws -> ByteBuffer {
        var all = ByteBuffer()
        while var chunk = try channel.readOutbound(as: ByteBuffer.self) { all.writeBuffer(&chunk) }
        return all
    }

    func receivedMessages() throws -> [FrontendMessage] {
        try WireDecoding.frontendMessages(in: receivedBytes())
    }

    /// The proxy's StartupMessage, which must be all it sent.
    func receivedStartup() throws -> StartupMessage {
        let bytes = try receivedBytes()
        guard case .startup(let message) = try StartupPacket.decode(bytes) else {
            throw TestFailure("expected a StartupMessage from the proxy, got \(bytes.readableBytes) other bytes")
        }
        return message
    }

    /// Delivers bytes to the proxy as one read.
    func send(raw bytes: ByteBuffer) throws {
        try channel.writeInbound(bytes)
    }

    func send(_ messages: BackendMessage...) throws {
        try send(raw: WireDecoding.encode(messages))
    }

    /// Answers the proxy's StartupMessage with a trust login, reporting `key` as this backend's cancel key.
    @discardableResult
    func acceptLogin(key: CancelKey) throws -> StartupMessage {
        let startup = try receivedStartup()
        var messages: [BackendMessage] = [.authentication(.ok)]
        messages += Self.reportedParameters.map { BackendMessage.parameterStatus(name: $0.0, value: $0.1) }
        messages.append(.backendKeyData(processID: key.processID, secretKey: key.secretKey))
        messages.append(.readyForQuery(.idle))
        try send(raw: WireDecoding.encode(messages))
        return startup
    }

    /// Completes one simple-protocol command of the proxy's own, such as the reset query.
    func completeCommand(_ tag: String, status: TransactionStatus = .idle) throws {
        try send(.commandComplete(tag), .readyForQuery(status))
    }
}

// A ServerConnector that opens in-memory channels, so that each test plays the PostgreSQL server itself.

import Foundation
@testable import BulkheadProxy
import NIOCore
import NIOEmbedded

/// Hands the pool EmbeddedChannels set up by the pool's own initializer, and remembers each one.
final class FakeServerConnector: ServerConnector, @unchecked Sendable {
    // @unchecked: EmbeddedEventLoop confines every call to the test's thread; the lock is belt and braces.
    struct Connection {
        let node: NodeAddress
        let server: FakeServer
    }

    private let loop: EmbeddedEventLoop
    private let lock = NSLock()
    private var opened: [Connection] = []
    private var refusing = false

    init(loop: EmbeddedEventLoop) {
        self.loop = loop
    }

    /// Every connection opened so far, oldest first (pool connections and cancel connections alike).
    var connections: [Connection] { lock.withLock { opened } }

    var servers: [FakeServer] { connections.map(\.server) }

    /// While true, every connection attempt fails as if the node were unreachable.
    var refusesConnections: Bool {
        get { lock.withLock { refusing } }
        set { lock.withLock { refusing = newValue } }
    }

    func connect(
        to node: NodeAddress, on loop: any EventLoop, timeout: TimeAmount,
        initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>
    ) -> EventLoopFuture<any Channel> {
        if refusesConnections {
            return self.loop.makeFailedFuture(ChannelError.connectTimeout(timeout))
        }
        let channel = EmbeddedChannel(loop: self.loop)
        let address: SocketAddress
        do {
            try channel.pipeline.syncOperations.addHandler(ClosedSocketHandler())
            address = try SocketAddress(ipAddress: node.host, port: node.port)
        } catch {
            return self.loop.makeFailedFuture(error)
        }
        lock.withLock { opened.append(Connection(node: node, server: FakeServer(channel: channel))) }
        // As with a socket: the pipeline is set up first, and only then does the connection become active.
        return initializer(channel)
            .flatMap { channel.connect(to: address) }
            .map { channel as any Channel }
    }
}

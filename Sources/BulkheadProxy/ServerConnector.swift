// Opens connections to PostgreSQL servers; tests swap in in-memory channels.

import NIOCore
import NIOPosix

/// Opens a connection to a node on a given event loop and sets up its pipeline.
protocol ServerConnector: Sendable {
    func connect(
        to node: NodeAddress, on loop: any EventLoop, timeout: TimeAmount,
        initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>
    ) -> EventLoopFuture<any Channel>
}

/// Connects over TCP with Nagle off, as latency matters more than packet count for a proxy.
struct TCPConnector: ServerConnector {
    func connect(
        to node: NodeAddress, on loop: any EventLoop, timeout: TimeAmount,
        initializer: @escaping @Sendable (any Channel) -> EventLoopFuture<Void>
    ) -> EventLoopFuture<any Channel> {
        ClientBootstrap(group: loop)
            .connectTimeout(timeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer(initializer)
            .connect(host: node.host, port: node.port)
    }
}

// Listens for clients and wires each accepted connection to its decoder and ClientHandler.

import BulkheadPool
import BulkheadRouting
import BulkheadWire
import Logging
import NIOCore
import NIOPosix

/// A running Bulkhead listener with its pools.
public final class ProxyServer: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let runtime: ProxyRuntime
    private let channel: any Channel
    private let ticker: RepeatedTask

    /// The address actually bound (useful with port 0).
    public var localAddress: SocketAddress? { channel.localAddress }

    private init(group: MultiThreadedEventLoopGroup, runtime: ProxyRuntime, channel: any Channel, ticker: RepeatedTask) {
        self.group = group
        self.runtime = runtime
        self.channel = channel
        self.ticker = ticker
    }

    /// Binds the listener and starts serving.
    public static func start(plan: ProxyPlan, logger: Logger) async throws -> ProxyServer {
        try await bind(plan: plan, logger: logger).get()
    }

    /// Binds the listener and starts serving, blocking the calling thread (which must not be an event loop).
    public static func startBlocking(plan: ProxyPlan, logger: Logger) throws -> ProxyServer {
        try bind(plan: plan, logger: logger).wait()
    }

    private static func bind(plan: ProxyPlan, logger: Logger) -> EventLoopFuture<ProxyServer> {
        let threads = plan.workers > 0 ? plan.workers : System.coreCount
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let loops = Array(group.makeIterator())
        let runtime = ProxyRuntime(plan: plan, loops: loops, logger: logger)
        // Idle clients are checked as often as the shorter of the two idle limits; the session decides which applies.
        let idleCheck = [plan.clientIdleTimeout, plan.idleTransactionTimeout].compactMap { $0 }.min()
            .map { TimeAmount.nanoseconds(Int64($0.nanoseconds)) }
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: false)
            // NIO keeps each channel's receive buffer for its next read. Clients mostly sit idle between short
            // messages, so theirs starts small (and grows under load) rather than at 2 KB per idle client.
            .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 256, maximum: 65536))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let underLimit = runtime.clientArrived()
                    let handler = ClientHandler(runtime: runtime, eventLoop: channel.eventLoop, overLimit: !underLimit)
                    if let check = idleCheck {
                        try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: check))
                    }
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: plan.host, port: plan.port)
            .map { channel in
                let ticker = group.next().scheduleRepeatedTask(initialDelay: .seconds(1), delay: .milliseconds(250)) { _ in
                    runtime.pools.tick()
                }
                runtime.healthChecker?.start()
                logger.info("bulkhead listening on \(plan.host):\(plan.port) with \(threads) event loops")
                return ProxyServer(group: group, runtime: runtime, channel: channel, ticker: ticker)
            }
            .flatMapErrorThrowing { error in
                group.shutdownGracefully { _ in }
                throw error
            }
    }

    /// Number of connected clients.
    public var clientCount: Int { runtime.clientCount }

    /// Clients that hold a pinned server connection (session state under transaction or statement pooling).
    public var pinnedClientCount: Int { runtime.pinnedCount }

    /// Pool occupancy, keyed by "database/user@node".
    public func poolStats() -> [String: PoolStats] {
        var out: [String: PoolStats] = [:]
        for (key, stats) in runtime.pools.stats() {
            out["\(key.database)/\(key.user)@\(key.node)"] = stats
        }
        return out
    }

    /// Per-node routing figures (role, health, lag, reads and writes routed); empty with a single node.
    public func nodeStats() -> [NodeStats] {
        runtime.routing?.stats() ?? []
    }

    /// Closes the listener, which ends ``wait()``; safe from any thread. Call ``shutdown()`` once afterwards.
    public func stopAccepting() {
        channel.close(promise: nil)
    }

    /// Stops accepting, closes pools and the event loops. Call it once: the loops are gone afterwards.
    public func shutdown() async throws {
        ticker.cancel()
        runtime.healthChecker?.stop()
        try? await channel.close()
        runtime.pools.shutdown()
        try await group.shutdownGracefully()
    }

    /// Stops serving, blocking the calling thread (which must not be an event loop).
    public func shutdownBlocking() throws {
        ticker.cancel()
        runtime.healthChecker?.stop()
        try? channel.close().wait()
        runtime.pools.shutdown()
        try group.syncShutdownGracefully()
    }

    /// Waits until the listener closes.
    public func wait() async throws {
        try await channel.closeFuture.get()
    }
}

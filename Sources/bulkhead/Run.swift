// `bulkhead [run] --config PATH`: serve until SIGINT or SIGTERM.

import ArgumentParser
import BulkheadConfig
import BulkheadProxy
import Logging
import ServiceLifecycle

/// Runs the proxy.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the proxy (the default).")

    @Option(name: .shortAndLong, help: "Path of the TOML configuration.")
    var config: String = "config/bulkhead.toml"

    func run() async throws {
        let loaded: BulkheadConfig
        do {
            loaded = try BulkheadConfig.load(path: config)
        } catch {
            printError(error.description)
            throw ExitCode(2)
        }
        let plan = ProxyPlan(config: loaded)
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = plan.logLevel
            return handler
        }
        let logger = Logger(label: "bulkhead")
        let service = ProxyService(plan: plan, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// Adapts the proxy to swift-service-lifecycle: start, serve, shut down gracefully on a signal.
struct ProxyService: Service {
    let plan: ProxyPlan
    let logger: Logger

    func run() async throws {
        let server = try await ProxyServer.start(plan: plan, logger: logger)
        try await withGracefulShutdownHandler {
            try await server.wait()
        } onGracefulShutdown: {
            // Only ends wait(); the one full shutdown follows, so nothing is scheduled on stopped loops.
            server.stopAccepting()
        }
        // What the pools did over the proxy's life: a cross-loop lease costs a thread hop per message.
        for (pool, stats) in server.poolStats().sorted(by: { $0.key < $1.key }) {
            logger.info("pool \(pool): \(stats.leases) leases, \(stats.crossLoopLeases) to a client on another event loop")
        }
        try await server.shutdown()
    }
}

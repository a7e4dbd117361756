// Probes every node on a timer over a connection of its own, and feeds the answers to routing.

import BulkheadRouting
import BulkheadSession
import BulkheadWire
import Logging
import NIOCore

/// Runs ``RoutingQueries/healthCheck`` on every node each `health_check_interval`.
///
/// Each node gets one long-lived connection, logged in like a pool's. A refused connection, a failed login, an
/// error or no answer within the timeout takes the node out at once; a node whose checks merely stall is taken
/// out by the topology's own clock. All state lives on one event loop.
final class HealthChecker: @unchecked Sendable {
    // @unchecked: every mutable field is touched only on `loop`.
    private struct Probe {
        var channel: (any Channel)?
        var handler: ServerHandler?
        /// Set once logged in, while no check is running.
        var link: ServerLink?
        /// Bumped per attempt, so a late timeout or answer of an abandoned attempt is ignored.
        var generation = 0
        var busy = false
        /// Reads waiting to learn how far this replica has replayed (read-your-writes); the next answer serves all.
        var replayWaiters: [@Sendable (LSN?) -> Void] = []
    }

    private let loop: any EventLoop
    private let nodes: [NodeAddress]
    private let login: ServerLogin
    private let routing: RoutingService
    private let connector: any ServerConnector
    private let logger: Logger
    private let timeout: TimeAmount
    private var probes: [Probe]
    private var task: RepeatedTask?

    init(loop: any EventLoop, nodes: [NodeAddress], login: HealthCheckLogin, routing: RoutingService,
         connector: any ServerConnector, logger: Logger) {
        self.loop = loop
        self.nodes = nodes
        self.login = ServerLogin(user: login.user, database: login.database, password: login.password)
        self.routing = routing
        self.connector = connector
        self.logger = logger
        // A check gets two intervals (at least a second) before its node is declared down.
        let interval = routing.settings.healthCheckInterval
        self.timeout = .nanoseconds(Int64(max(interval * 2, .seconds(1)).nanoseconds))
        self.probes = Array(repeating: Probe(), count: nodes.count)
    }

    func start() {
        let interval = TimeAmount.nanoseconds(Int64(routing.settings.healthCheckInterval.nanoseconds))
        loop.execute {
            self.task = self.loop.scheduleRepeatedTask(initialDelay: .zero, delay: max(interval, .milliseconds(10))) { _ in
                self.round()
            }
        }
    }

    func stop() {
        loop.execute {
            self.task?.cancel()
            self.task = nil
            for probe in self.probes { probe.channel?.close(promise: nil) }
        }
    }

    /// Checks the node now rather than at the next round (a connection to it broke), unless a check is running.
    func checkSoon(_ index: Int) {
        loop.execute { [self] in
            guard probes.indices.contains(index), !probes[index].busy else { return }
            check(index)
        }
    }

    /// Learns how far the node has replayed now: from the check in progress if there is one, else from a query
    /// of its own. Nil when the node cannot answer. `completion` runs on the checker's event loop.
    func replayPosition(of index: Int, completion: @escaping @Sendable (LSN?) -> Void) {
        loop.execute { [self] in
            guard probes.indices.contains(index), probes[index].handler != nil else { return completion(nil) }
            probes[index].replayWaiters.append(completion)
            guard !probes[index].busy, let link = probes[index].link, let handler = probes[index].handler else { return }
            probes[index].link = nil
            let generation = start(index)
            handler.query(RoutingQueries.replayPosition, columns: ["replay"], on: link) { [self] result in
                guard probes[index].generation == generation, probes[index].busy else { return }
                switch result {
                case .success(let (link, row)):
                    probes[index].link = link
                    probes[index].busy = false
                    answerReplay(index, (row["replay"] ?? nil).flatMap { LSN($0) })
                case .failure(let error):
                    fail(index, .probeFailed("\(error)"))
                }
            }
        }
    }

    private func answerReplay(_ index: Int, _ lsn: LSN?) {
        let waiters = probes[index].replayWaiters
        probes[index].replayWaiters.removeAll()
        for waiter in waiters { waiter(lsn) }
    }

    /// Marks the node's connection busy with a new attempt that times out on its own.
    private func start(_ index: Int) -> Int {
        probes[index].busy = true
        probes[index].generation += 1
        let generation = probes[index].generation
        loop.scheduleTask(in: timeout) { [self] in
            guard probes[index].generation == generation, probes[index].busy else { return }
            fail(index, .probeTimedOut(Duration.nanoseconds(timeout.nanoseconds)))
        }
        return generation
    }

    private func round() {
        routing.tick()
        for index in nodes.indices where !probes[index].busy { check(index) }
    }

    private func check(_ index: Int) {
        let generation = start(index)
        if let link = probes[index].link, let handler = probes[index].handler {
            probes[index].link = nil
            query(index, handler: handler, link: link, generation: generation)
        } else {
            connect(index, generation: generation)
        }
    }

    private func query(_ index: Int, handler: ServerHandler, link: ServerLink, generation: Int) {
        handler.query(RoutingQueries.healthCheck, columns: ["recovery", "wal", "replay", "lag"], on: link) { [self] result in
            guard probes[index].generation == generation, probes[index].busy else { return }
            switch result {
            case .success(let (link, row)):
                let columns = ["recovery", "wal", "replay", "lag"].map { row[$0] ?? nil }
                do {
                    let probe = try ProbeResult(columns: columns)
                    probes[index].link = link
                    probes[index].busy = false
                    routing.probeSucceeded(NodeID(index), probe)
                    answerReplay(index, probe.replayLSN)
                } catch {
                    fail(index, .probeFailed("unreadable answer: \(error)"))
                }
            case .failure(let error):
                fail(index, .probeFailed("\(error)"))
            }
        }
    }

    private func connect(_ index: Int, generation: Int) {
        let node = nodes[index]
        let handler = ServerHandler(id: -1 - index, login: login, logger: logger, maxMessageLength: 1 << 20, onLogin: { [self] result in
            guard probes[index].generation == generation else { return }
            switch result {
            case .success(let (key, parameters)):
                guard let handler = probes[index].handler else { return }
                query(index, handler: handler, link: ServerLink(id: -1 - index, backendKey: key, parameters: parameters),
                      generation: generation)
            case .failure(let error):
                fail(index, .connectFailed("login failed: \(error)"))
            }
        }, onClose: { [self] in
            guard probes[index].generation == generation else { return }
            probes[index].channel = nil
            probes[index].handler = nil
            probes[index].link = nil
            if probes[index].busy { fail(index, .connectionBroken("the health check connection closed")) }
        })
        probes[index].handler = handler
        connector.connect(to: node, on: loop, timeout: timeout) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(handler)
            }
        }
            .whenComplete { [self] result in
                switch result {
                case .success(let channel):
                    if probes[index].generation == generation { probes[index].channel = channel } else { channel.close(promise: nil) }
                case .failure(let error):
                    guard probes[index].generation == generation else { return }
                    fail(index, .connectFailed("\(error)"))
                }
            }
    }

    /// Takes the node out, and drops the probe connection: the next round starts afresh.
    private func fail(_ index: Int, _ failure: NodeFailure) {
        probes[index].generation += 1
        probes[index].busy = false
        probes[index].link = nil
        probes[index].handler = nil
        probes[index].channel?.close(promise: nil)
        probes[index].channel = nil
        routing.nodeFailed(NodeID(index), failure)
        answerReplay(index, nil)
    }
}

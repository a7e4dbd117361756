// The objects every connection of a running proxy shares: plan, pools, cancel keys and counters.

import BulkheadAuth
import BulkheadRouting
import BulkheadSQL
import BulkheadSession
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Shared state of one running proxy.
final class ProxyRuntime: Sendable {
    let logger: Logger
    let pools: PoolManager
    /// Read/write routing over several nodes; nil with a single node, which takes everything.
    let routing: RoutingService?
    let healthChecker: HealthChecker?
    let cancels = CancelRegistry()
    /// Parse results shared by the tenant gate and the pooling classifier.
    let gate: GateCache
    /// Statements some server connection prepared cleanly, so that a client's Parse of one needs no connection.
    let knownStatements = PreparedStatementRegistry()
    /// One shared instance per distinct set of client settings, so checkouts compare settings by identity.
    let parameterSets = ParameterSetInterner()
    let effects: PoolingEffects
    /// Makes mock SCRAM salts stable per user name for this process, and unpredictable to clients.
    let mockKey = AuthRandom.bytes(32)
    private let planBox: NIOLockedValueBox<ProxyPlan>
    private let clients = NIOLockedValueBox(0)
    /// Clients whose server connection is pinned to them (transaction or statement pooling).
    private let pinned = NIOLockedValueBox(0)

    init(plan: ProxyPlan, loops: [any EventLoop], logger: Logger, connector: any ServerConnector = TCPConnector(),
         now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.logger = logger
        self.gate = GateCache(capacity: 20_000, classifier: StatementClassifier(extraReadOnlyFunctions: plan.readOnlyFunctions))
        self.effects = PoolingEffects(cache: gate)
        self.planBox = NIOLockedValueBox(plan)
        if plan.routingNodes.count > 1, let login = plan.healthCheckLogin, let loop = loops.first {
            let routing = RoutingService(nodes: plan.routingNodes, settings: plan.topology, logger: logger, now: now)
            let nodes = plan.routingNodes.map(\.name)
            let addresses = plan.databases.values.first?.nodes ?? []
            let checker = HealthChecker(loop: loop, nodes: addresses, login: login, routing: routing, connector: connector, logger: logger)
            self.routing = routing
            self.healthChecker = checker
            self.pools = PoolManager(loops: loops, plan: plan, logger: logger, connector: connector, now: now) { name, refused in
                guard let index = nodes.firstIndex(of: name) else { return }
                if let refused {
                    routing.nodeFailed(NodeID(index), .connectFailed(refused))
                } else {
                    checker.checkSoon(index)
                }
            }
        } else {
            self.routing = nil
            self.healthChecker = nil
            self.pools = PoolManager(loops: loops, plan: plan, logger: logger, connector: connector, now: now)
        }
    }

    var plan: ProxyPlan { planBox.withLockedValue { $0 } }

    var sessionSettings: ClientSession.Settings {
        let plan = self.plan
        return ClientSession.Settings(poolModeDefault: plan.defaultPoolMode, resetQuery: plan.resetQuery,
                                      maxQueuedBytes: max(plan.maxMessageLength, 64 << 20),
                                      maxPreparedStatements: plan.maxPreparedStatements,
                                      rejectSessionFeatures: plan.rejectSessionFeatures,
                                      knownStatements: knownStatements, parameterSets: parameterSets)
    }

    var authFailureDelay: TimeAmount { .nanoseconds(Int64(plan.authFailureDelay.nanoseconds)) }

    /// Counts a new client; returns false when it is over `max_client_connections` (it is counted anyway until it leaves).
    func clientArrived() -> Bool {
        let limit = plan.maxClientConnections
        return clients.withLockedValue { count in
            count += 1
            return count <= limit
        }
    }

    func clientLeft() { clients.withLockedValue { $0 -= 1 } }

    var clientCount: Int { clients.withLockedValue { $0 } }

    func clientPinned() { pinned.withLockedValue { $0 += 1 } }

    func pinnedClientLeft() { pinned.withLockedValue { $0 -= 1 } }

    var pinnedCount: Int { pinned.withLockedValue { $0 } }
}

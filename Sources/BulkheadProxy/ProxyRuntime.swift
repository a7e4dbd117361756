// The objects every connection of a running proxy shares: plan, pools, cancel keys and counters.

import BulkheadAuth
import BulkheadSQL
import BulkheadSession
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// Shared state of one running proxy.
final class ProxyRuntime: Sendable {
    let logger: Logger
    let pools: PoolManager
    let cancels = CancelRegistry()
    /// Parse results shared by the tenant gate and the pooling classifier.
    let gate = GateCache(capacity: 20_000)
    let effects: PoolingEffects
    /// Makes mock SCRAM salts stable per user name for this process, and unpredictable to clients.
    let mockKey = AuthRandom.bytes(32)
    private let planBox: NIOLockedValueBox<ProxyPlan>
    private let clients = NIOLockedValueBox(0)

    init(plan: ProxyPlan, loops: [any EventLoop], logger: Logger, connector: any ServerConnector = TCPConnector(),
         now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.logger = logger
        self.effects = PoolingEffects(cache: gate)
        self.planBox = NIOLockedValueBox(plan)
        self.pools = PoolManager(loops: loops, plan: plan, logger: logger, connector: connector, now: now)
    }

    var plan: ProxyPlan { planBox.withLockedValue { $0 } }

    var sessionSettings: ClientSession.Settings {
        let plan = self.plan
        return ClientSession.Settings(poolModeDefault: plan.defaultPoolMode, resetQuery: plan.resetQuery,
                                      maxQueuedBytes: max(plan.maxMessageLength, 64 << 20),
                                      maxPreparedStatements: plan.maxPreparedStatements,
                                      rejectSessionFeatures: plan.rejectSessionFeatures)
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
}

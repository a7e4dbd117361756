// Measures the proxy CPU that read/write routing adds per statement, apart from I/O, for `bulkhead route-cost`.

import BulkheadRouting
import BulkheadSession
import BulkheadWire
import Foundation
import Logging
import NIOCore

/// Runs the per-statement work of a transaction-pooled client (lease, Bind/Execute/Sync, the server's answers,
/// release) through the real session and routing code, with routing off and on, and reports the difference.
///
/// The prepared statement is warm (classified at Parse, prepared on the connection), as in `pgbench -M prepared`.
/// I/O is the same with and without routing (a write's position query travels in the same socket write), so the
/// difference is what routing costs: statement facts, the routing decision under its lock, read-your-writes, and
/// for writes the position query's answer.
public enum RoutingCost {
    /// Nanoseconds per statement.
    public struct Result: Sendable {
        public var plain: Double
        public var routed: Double
        public var added: Double { routed - plain }
    }

    public static func measure(write: Bool, iterations: Int) -> Result {
        // Interleaved halves, so that drift in the machine's speed affects both sides alike.
        var plain: UInt64 = 0
        var routed: UInt64 = 0
        for _ in 0..<10 {
            plain += run(write: write, routing: false, iterations: iterations / 10)
            routed += run(write: write, routing: true, iterations: iterations / 10)
        }
        let count = Double(iterations / 10 * 10)
        return Result(plain: Double(plain) / count, routed: Double(routed) / count)
    }

    /// Total nanoseconds for `iterations` statements.
    private static func run(write: Bool, routing: Bool, iterations: Int) -> UInt64 {
        let sql = write ? "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2"
                        : "SELECT abalance FROM pgbench_accounts WHERE aid = $1"
        let facts: StatementFacts = write ? .write : .read
        var session = ClientSession(backendKey: BackendKey(processID: 1, secretKey: 1),
                                    randomness: SessionRandomness(md5Salt: [0, 0, 0, 0], scramNonce: Array(repeating: 1, count: 18),
                                                                  mockKey: Array(repeating: 2, count: 32)),
                                    settings: ClientSession.Settings(poolModeDefault: .transaction))
        let welcome = ParameterSet([("client_encoding", "UTF8")])
        _ = session.startupPacket(.startup(StartupMessage(parameters: [StartupParameter(name: "user", value: "bench"),
                                                                      StartupParameter(name: "database", value: "bench")]))) { _ in
            var policy = LoginPolicy(userKnown: true, databaseKnown: true, method: .trust, secret: nil, poolMode: .transaction)
            policy.welcomeParameters = welcome
            policy.routesReads = routing
            policy.tracksWrites = routing
            return policy
        }
        let nodes = [RoutingNode(name: "primary", role: .auto), RoutingNode(name: "replica1", role: .auto),
                     RoutingNode(name: "replica2", role: .auto)]
        var quiet = Logger(label: "route-cost")
        quiet.logLevel = .error
        let service = RoutingService(nodes: nodes, settings: TopologySettings(), logger: quiet)
        service.probeSucceeded(NodeID(0), .primary(walLSN: LSN(100)))
        service.probeSucceeded(NodeID(1), .replica(replayLSN: LSN(100), lag: .zero))
        service.probeSucceeded(NodeID(2), .replica(replayLSN: LSN(100), lag: .zero))
        let address = NodeAddress(name: "primary", host: "127.0.0.1", port: 5432)
        let database = DatabasePlan(name: "bench", serverDatabase: "bench", serverUser: "bench", serverPassword: "",
                                    pool: .init(maxSize: 20), poolMode: .transaction, nodes: [address, address, address],
                                    routing: RoutingPolicy(defersBegin: false))
        var routingSession = RoutingSession()
        // Held as an optional and taken out for each lease, as the pool does: a link nobody else holds is
        // changed in place rather than copied.
        var link: ServerLink? = ServerLink(id: 1, backendKey: nil, parameters: welcome)

        let parse = frame(.parse(Parse(name: "P0_1", query: sql, parameterTypes: [])))
        let bind = frame(.bind(Bind(portal: "", statement: "P0_1", parameterFormats: [0],
                                    parameters: [ByteBuffer(string: "1"), ByteBuffer(string: "42")], resultFormats: [0])))
        let execute = frame(.execute(Execute(portal: "", maxRows: 0)))
        let sync = frame(.sync)
        let answers = [frame(BackendMessage.bindComplete), frame(write ? .commandComplete("UPDATE 1") : .dataRow([ByteBuffer(string: "0")])),
                       frame(.commandComplete(write ? "UPDATE 1" : "SELECT 1")), frame(.readyForQuery(.idle))]
        let positionAnswers = [frame(.rowDescription([])), frame(.dataRow([ByteBuffer(string: "0/3000060")])),
                               frame(.commandComplete("SELECT 1")), frame(.readyForQuery(.idle))]
        // The server answers the statement and the pipelined position query in one write, so in one read.
        var read = ByteBuffer()
        for answer in answers + (routing && write ? positionAnswers : []) { read.writeImmutableBuffer(answer.raw) }
        var effects = StatementEffects.none
        if routing { effects.route = facts }
        // Prepare the statement once, as the first transaction would.
        _ = session.clientFrame(parse, effects: effects)
        _ = session.clientFrame(sync)
        guard let first = link.take() else { return 0 }
        _ = session.serverLeased(first)
        for answer in [frame(BackendMessage.parseComplete), frame(.readyForQuery(.idle))] + (routing && write ? positionAnswers : []) {
            if let release = session.serverFrame(answer).release { link = release.link }
        }

        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<iterations {
            let asked = session.clientFrame(bind)
            var node = NodeID(0)
            var onReplica = false
            if routing {
                let (decision, replica) = service.route(asked.routeFacts, session: &routingSession, database: database,
                                                        key: .session(1), waitingSince: nil)
                if case .node(let chosen) = decision.target { node = chosen }
                onReplica = replica
            }
            guard let leased = link.take() else { break }
            _ = session.serverLeased(consume leased, onReplica: onReplica)
            _ = session.clientFrame(execute)
            _ = session.clientFrame(sync)
            let action = session.serverFrames(read)
            if let lsn = action.learnedWriteLSN { service.recordWrite(lsn, database: database.name, key: .session(1)) }
            if let release = action.release { link = release.link }
            if routing {
                routingSession.transactionEnded()
                service.leaseEnded(on: node)
            }
        }
        return DispatchTime.now().uptimeNanoseconds - start
    }

    private static func frame(_ message: FrontendMessage) -> Frame {
        Frame(uncheckedRaw: message.encodedFrame)
    }

    private static func frame(_ message: BackendMessage) -> Frame {
        Frame(uncheckedRaw: message.encoded)
    }
}

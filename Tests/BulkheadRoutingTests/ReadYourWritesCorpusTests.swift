// A seeded corpus of interleavings across a slowed replica: no read may ever see less than its scope has written.

import BulkheadRouting
import XCTest

final class ReadYourWritesCorpusTests: XCTestCase {
    /// Runs one interleaving of writes, reads, transactions and check rounds, then returns the harness.
    func run(
        seed: UInt64, policy: RoutingPolicy, tracker: ConsistencySettings = ConsistencySettings(), steps: Int = 300
    ) -> ReadYourWritesHarness {
        var setup = RoutingRandom(seed: seed &* 31 &+ 7)
        let delays: [NodeID: Duration] = [
            replica1: .microseconds(Int64.random(in: 0...5000, using: &setup)),
            replica2: .milliseconds(Int64.random(in: 1500...4000, using: &setup)),
        ]
        var sim = ReadYourWritesHarness(seed: seed, delays: delays, policy: policy)
        sim.tracker = ConsistencyTracker(settings: tracker)
        for _ in 0..<steps {
            sim.advance(by: .microseconds(Int64.random(in: 0...30_000, using: &sim.random)))
            let session = Int.random(in: 0..<sim.sessions.count, using: &sim.random)
            let writer = session % sim.writers
            switch Int.random(in: 0..<100, using: &sim.random) {
            case 0..<25:
                sim.write(writer)
                // The dangerous moment: a read at once, by the writer or by another connection of its tenant.
                if Bool.random(using: &sim.random) { sim.read(writer) }
                if Bool.random(using: &sim.random) { sim.read((writer + 2) % sim.writers) }
            case 25..<35:
                sim.writeTransaction(writer)
                sim.readOnlyTransaction(writer)
            case 35..<80:
                sim.read(session)
            case 80..<90:
                sim.readOnlyTransaction(session)
            default:
                break
            }
        }
        return sim
    }

    func testNoReadIsStaleAcrossTheCorpus() {
        var replicaReads: [NodeID: Int] = [:]
        var constrained = 0
        var checks = 0
        for seed in 0..<200 as Range<UInt64> {
            let policy = RoutingPolicy(tenantScope: seed % 2 == 1)
            let sim = run(seed: seed, policy: policy)
            XCTAssertEqual(sim.violations, [], "seed \(seed)")
            replicaReads.merge(sim.replicaReads, uniquingKeysWith: +)
            constrained += sim.constrainedReplicaReads
            checks += sim.checks
        }
        // The corpus must exercise the risky paths, or passing it would prove nothing.
        XCTAssertGreaterThan(replicaReads[replica2, default: 0], 1000, "the slowed replica stays in rotation")
        XCTAssertGreaterThan(replicaReads[replica1, default: 0], 1000)
        XCTAssertGreaterThan(constrained, 1000, "reads after writes do reach replicas")
        XCTAssertGreaterThan(checks, 100)
    }

    func testNoReadIsStaleWhenTheTrackerMustForgetScopes() {
        // One scope remembered, for 100 ms: nearly everything lives in the floor, which must keep the guarantee.
        let cramped = ConsistencySettings(capacity: 1, retention: .milliseconds(100))
        var constrained = 0
        for seed in 0..<60 as Range<UInt64> {
            let sim = run(seed: seed, policy: RoutingPolicy(tenantScope: seed % 2 == 0), tracker: cramped)
            XCTAssertEqual(sim.violations, [], "seed \(seed)")
            XCTAssertLessThanOrEqual(sim.tracker.count, 1)
            constrained += sim.constrainedReplicaReads
        }
        XCTAssertGreaterThan(constrained, 100)
    }

    func testTheHarnessCatchesStaleReadsWhenConsistencyIsOff() {
        // Eventual mode reads from the slowed replica right after writes: the same checks must flag it.
        var flagged = 0
        for seed in 0..<20 as Range<UInt64> {
            flagged += run(seed: seed, policy: RoutingPolicy(readYourWrites: false)).violations.count
        }
        XCTAssertGreaterThan(flagged, 0)
    }
}

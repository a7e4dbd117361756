// Routing of explicit transactions: held BEGIN, READ ONLY, SET TRANSACTION, session defaults and serializable.

import BulkheadRouting
import XCTest

final class TransactionRoutingTests: XCTestCase {
    var router = Router(topology: healthyTopology())
    var session = RoutingSession()

    func route(_ statement: StatementFacts, policy: RoutingPolicy = RoutingPolicy(), seed: UInt64 = 1) -> RoutingDecision {
        var random = RoutingRandom(seed: seed)
        return router.route(statement, session: &session, policy: policy, now: at(0), using: &random)
    }

    func testAPlainTransactionRunsOnThePrimaryEvenForReads() {
        XCTAssertEqual(route(.control(.begin(readOnly: nil))).target, .deferred)
        XCTAssertEqual(session.transaction, .pending(readOnly: nil, serializable: false))
        XCTAssertEqual(route(.read).target, .node(primaryNode), "later statements could write")
        XCTAssertEqual(route(.write).target, .node(primaryNode))
        let commit = route(.control(.commit))
        XCTAssertEqual(commit.target, .node(primaryNode))
        XCTAssertTrue(commit.learnsWriteLSN)
        XCTAssertEqual(session.transaction, .none)
    }

    func testACommitLearnsThePositionOnlyIfTheTransactionWrote() {
        _ = route(.control(.begin(readOnly: nil)))
        _ = route(.read)
        XCTAssertFalse(route(.control(.commit)).learnsWriteLSN)
        _ = route(.control(.begin(readOnly: nil)))
        _ = route(.write)
        XCTAssertFalse(route(.control(.rollback)).learnsWriteLSN, "a rollback makes nothing visible")
    }

    func testAReadOnlyTransactionRunsWhollyOnOneReplica() {
        XCTAssertEqual(route(.control(.begin(readOnly: true))).target, .deferred)
        let first = route(.read, seed: 9).target
        XCTAssertTrue(isReplica(first))
        for seed in 0..<20 as Range<UInt64> {
            XCTAssertEqual(route(.read, seed: seed).target, first, "no statement moves to another node")
        }
        XCTAssertEqual(route(.write).target, first, "a write in a READ ONLY transaction fails where it is")
        let commit = route(.control(.commit))
        XCTAssertEqual(commit.target, first)
        XCTAssertFalse(commit.learnsWriteLSN)
        XCTAssertEqual(session.transaction, .none)
    }

    func testSetTransactionReadOnlyFirstMakesItAReadOnlyTransaction() {
        _ = route(.control(.begin(readOnly: nil)))
        let set = route(.control(.setTransaction(readOnly: true)))
        XCTAssertTrue(isReplica(set.target), "BEGIN and SET TRANSACTION go together to a replica")
        XCTAssertEqual(route(.read).target, set.target)
    }

    func testSetTransactionReadOnlyAfterAnotherStatementIsTooLate() {
        _ = route(.control(.begin(readOnly: nil)))
        XCTAssertEqual(route(.read).target, .node(primaryNode))
        XCTAssertEqual(route(.control(.setTransaction(readOnly: true))).target, .node(primaryNode))
        XCTAssertEqual(route(.read).target, .node(primaryNode))
    }

    func testSetTransactionReadWriteRightAfterBeginReadOnlyWins() {
        _ = route(.control(.begin(readOnly: true)))
        XCTAssertEqual(route(.control(.setTransaction(readOnly: false))).target, .node(primaryNode))
    }

    func testSetTransactionWithoutReadOnlyKeepsWhatBeginSaid() {
        _ = route(.control(.begin(readOnly: true)))
        XCTAssertTrue(isReplica(route(.control(.setTransaction(readOnly: nil))).target))
    }

    func testSerializableReadOnlyTransactionsStayOnThePrimary() {
        // A hot standby refuses serializable transactions.
        _ = route(.control(.begin(readOnly: true, serializable: true)))
        XCTAssertEqual(route(.read).target, .node(primaryNode))
        _ = route(.control(.commit))
        _ = route(.control(.begin(readOnly: true)))
        XCTAssertEqual(route(.control(.setTransaction(readOnly: nil, serializable: true))).target, .node(primaryNode))
    }

    func testAReadOnlySessionDefaultMakesPlainTransactionsReadOnly() {
        XCTAssertFalse(session.readOnlyByDefault)
        _ = route(StatementFacts(isReadOnly: true, transaction: .setSessionDefault(readOnly: true)))
        XCTAssertTrue(session.readOnlyByDefault)
        _ = route(.control(.begin(readOnly: nil)))
        XCTAssertTrue(isReplica(route(.read).target))
        _ = route(.control(.commit))
        _ = route(.control(.begin(readOnly: false)))
        XCTAssertEqual(route(.read).target, .node(primaryNode), "READ WRITE overrides the default")
    }

    func testAHintOnTheFirstStatementKeepsAReadOnlyTransactionOnThePrimary() {
        _ = route(.control(.begin(readOnly: true)))
        XCTAssertEqual(route(StatementFacts(isReadOnly: true, forcesPrimary: true)).target, .node(primaryNode))
        XCTAssertEqual(route(.read).target, .node(primaryNode))
    }

    func testAnEmptyTransactionEndsWhereverItIsSent() {
        _ = route(.control(.begin(readOnly: nil)))
        XCTAssertEqual(route(.control(.commit)).target, .node(primaryNode))
        XCTAssertEqual(session.transaction, .none)
    }

    func testASecondBeginIsHeldWithTheFirst() {
        _ = route(.control(.begin(readOnly: true)))
        XCTAssertEqual(route(.control(.begin(readOnly: nil))).target, .deferred)
        XCTAssertEqual(session.transaction, .pending(readOnly: true, serializable: false))
    }

    func testBeginIsNotHeldWhenNothingCouldGoToAReplica() {
        XCTAssertEqual(route(.control(.begin(readOnly: true)), policy: RoutingPolicy(readWriteSplit: false)).target, .node(primaryNode))
        XCTAssertEqual(session.transaction, .open(node: primaryNode, readOnly: false, wrote: false))
    }

    func testTheServerEndingTheTransactionResetsTheSession() {
        _ = route(.control(.begin(readOnly: nil)))
        _ = route(.write)
        session.transactionEnded()
        XCTAssertEqual(session.transaction, .none)
        XCTAssertTrue(isReplica(route(.read).target))
    }

    func testATransactionStaysOnItsNodeWhenThePrimaryChanges() {
        _ = route(.control(.begin(readOnly: nil)))
        _ = route(.write)
        _ = router.topology.nodeFailed(primaryNode, .connectionBroken("reset"), now: at(0))
        XCTAssertEqual(route(.control(.commit)).target, .node(primaryNode), "the owner fails it on the broken connection")
    }
}

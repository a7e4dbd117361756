// How the proxy turns parsed SQL into routing facts, and reads the proxy's own `bulkhead.route` setting.

@testable import BulkheadProxy
import BulkheadRouting
import BulkheadSQL
import BulkheadSession
import BulkheadWire
import NIOCore
import XCTest

final class RouteFactsTests: XCTestCase {
    private let effects = PoolingEffects(cache: GateCache(capacity: 100))

    private func routed(_ sql: String) -> StatementEffects {
        effects.effects(of: Frame(uncheckedRaw: FrontendMessage.query(sql).encodedFrame), routing: true)
    }

    func testReadsAndWrites() {
        XCTAssertEqual(routed("SELECT abalance FROM pgbench_accounts WHERE aid = 5").route?.isReadOnly, true)
        XCTAssertEqual(routed("UPDATE pgbench_accounts SET abalance = 1 WHERE aid = 5").route?.isReadOnly, false)
        XCTAssertEqual(routed("SELECT nextval('s')").route?.isReadOnly, false, "nextval writes")
        XCTAssertEqual(routed("SELECT * FROM t FOR UPDATE").route?.isReadOnly, false)
        XCTAssertEqual(routed("SELECT 1; INSERT INTO t VALUES (1)").route?.isReadOnly, false, "one write makes the text a write")
        XCTAssertEqual(routed("COMMIT PREPARED 'x'").route?.isReadOnly, false, "two-phase commit needs the primary")
        XCTAssertNil(routed("SELEC 1").route, "a text that does not parse is not classified, so it is routed as a write")
    }

    /// Transaction control and settings change no data: they go wherever the transaction goes.
    func testControlStatementsAreNeutral() {
        let begin = routed("BEGIN READ ONLY")
        XCTAssertEqual(begin.route?.transaction, .begin(readOnly: true))
        XCTAssertEqual(begin.route?.isReadOnly, true)
        XCTAssertEqual(routed("START TRANSACTION").route?.transaction, .begin(readOnly: nil))
        XCTAssertEqual(routed("START TRANSACTION").route?.isReadOnly, false, "a transaction that may write is a write")
        XCTAssertEqual(routed("COMMIT").route?.transaction, .commit)
        XCTAssertEqual(routed("ROLLBACK").route?.transaction, .rollback)
        let set = routed("SET statement_timeout = 1000")
        XCTAssertEqual(set.route?.isReadOnly, true)
        XCTAssertEqual(set.settings, ["statement_timeout"], "the setting is still tracked for pooling")
    }

    func testPrimaryHintAndCopy() {
        XCTAssertEqual(routed("/* bulkhead:primary */ SELECT 1").route?.forcesPrimary, true)
        XCTAssertEqual(routed("SELECT '/* bulkhead:primary */'").route?.forcesPrimary, false)
        XCTAssertTrue(routed("COPY t FROM STDIN").mayCopyIn)
        XCTAssertFalse(routed("COPY t TO STDOUT").mayCopyIn)
        XCTAssertEqual(routed("COPY t TO STDOUT").route?.isReadOnly, true)
    }

    func testRouteOverride() {
        XCTAssertEqual(routed("SET bulkhead.route = 'replica'").routeOverride, .replica)
        XCTAssertEqual(routed("set bulkhead.route to AUTO;").routeOverride, .auto)
        // `primary` is reserved in PostgreSQL's grammar; the unquoted form is still understood.
        XCTAssertEqual(routed("SET bulkhead.route = primary").routeOverride, .primary)
        XCTAssertEqual(routed("SET SESSION bulkhead.route TO primary;").routeOverride, .primary)
        let reset = routed("RESET bulkhead.route")
        XCTAssertEqual(reset.routeOverride, .auto)
        XCTAssertEqual(reset.routeOverrideTag, "RESET")
        XCTAssertTrue(routed("SET bulkhead.route = auto").settings.isEmpty, "never tracked as a server setting")
        let bad = routed("SET bulkhead.route = 'sideways'")
        XCTAssertNil(bad.routeOverride)
        XCTAssertEqual(bad.refusal?.sqlState, "22023")
        XCTAssertNil(routed("SET bulkhead.route = primary; SELECT 1").routeOverride, "only the statement alone")
        XCTAssertNil(routed("SET bulkhead.router = primary").routeOverride)
        XCTAssertNil(routed("SET LOCAL bulkhead.route = 'replica'").routeOverride)
    }

    /// Without routing the screen still skips the parser for plain DML.
    func testUnroutedPlainTextIsNotClassified() {
        let plain = effects.effects(of: Frame(uncheckedRaw: FrontendMessage.query("SELECT 1").encodedFrame))
        XCTAssertNil(plain.route)
    }
}

// The screen that decides which pooled statements are parsed for session effects.

@testable import BulkheadProxy
import BulkheadSQL
import BulkheadSession
import BulkheadWire
import XCTest

final class PoolingEffectsTests: XCTestCase {
    func testPlainDMLSkipsTheParser() {
        for sql in ["SELECT abalance FROM pgbench_accounts WHERE aid = 5;", "  (select 1)", "UPDATE t SET x = 1 WHERE id = 2",
                    "insert into t values (1)", "BEGIN", "COMMIT;  \n"] {
            XCTAssertTrue(PoolingEffects.isPlain(sql), sql)
        }
    }

    func testAnythingThatMayTouchSessionStateIsParsed() {
        for sql in ["SET search_path = app", "set timezone to 'UTC'", "SELECT 1; SET x = 1", "SELECT 1 /* x */", "SELECT 1 -- hi",
                    "SELECT pg_advisory_lock(1)", "SELECT pg_catalog.set_config('a', 'b', false)", "CREATE TEMP TABLE t(x int)",
                    "SELECT * INTO TEMP t FROM x", "DECLARE c CURSOR WITH HOLD FOR SELECT 1", "LISTEN ch", "PREPARE p AS SELECT 1",
                    "DEALLOCATE ALL", "DISCARD ALL", "RESET ALL", "select 1 from t where PG_ADVISORY_LOCK(1)",
                    #"SELECT U&"set\005fconfig"('TimeZone', 'UTC', false)"#, #"select U&"pg_\0061dvisory_lock"(1)"#] {
            XCTAssertFalse(PoolingEffects.isPlain(sql), sql)
        }
    }

    private func effects(_ sql: String) -> StatementEffects {
        PoolingEffects(cache: GateCache(capacity: 100)).effects(of: Frame(uncheckedRaw: FrontendMessage.query(sql).encodedFrame), routing: false)
    }

    /// What may end the state that pins a connection has it checked; what creates state pins; what cannot be
    /// checked pins for good.
    func testSessionStateStartAndEnd() {
        for sql in ["UNLISTEN *", "DISCARD TEMP", "CLOSE c", "DEALLOCATE p", "DROP TABLE scratch", "SELECT 1; ROLLBACK"] {
            XCTAssertTrue(effects(sql).mayEndSessionState, sql)
        }
        for sql in ["SELECT 1 -- hi", "SET search_path = app", "LISTEN ch", "SELECT pg_advisory_lock(1)"] {
            XCTAssertFalse(effects(sql).mayEndSessionState, sql)
        }
        XCTAssertEqual(effects("LISTEN ch").sessionState, "LISTEN")
        XCTAssertEqual(effects("SELECT pg_advisory_unlock(1)").sessionState, "a session advisory lock",
                       "an unlock pins too, and the check that follows lifts the pin if nothing is left")
        XCTAssertTrue(effects("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY").pinsForGood)
        XCTAssertFalse(effects("CREATE TEMP TABLE t(x int)").pinsForGood)
    }

    /// `set_config` with `is_local` false is a SET: its setting is read back like one. One whose name is an
    /// expression could change anything, so its connection stays with the client.
    func testSetConfigIsTrackedLikeSet() {
        XCTAssertEqual(effects("SELECT set_config('TimeZone', 'UTC', false)").settings, ["timezone"])
        XCTAssertEqual(effects(#"SELECT U&"set\005fconfig"('Application_Name', 'x', false)"#).settings, ["application_name"])
        XCTAssertEqual(effects("SELECT pg_catalog.set_config('app.user'::text, '7', 1 = 0), set_config('a.b', 'c', false)").settings,
                       ["app.user", "a.b"], "an is_local that is not the constant true is taken as false")
        XCTAssertEqual(effects("SELECT set_config('TimeZone', 'UTC', true)").settings, [], "transaction-scoped")
        XCTAssertTrue(effects("SELECT set_config('TimeZone', 'UTC', true)").isNone)
        let unnamed = effects("SELECT set_config(name, 'x', false) FROM settings_to_apply")
        XCTAssertTrue(unnamed.pinsForGood)
        XCTAssertEqual(unnamed.sessionState, "set_config of a setting named by an expression")
        XCTAssertEqual(effects(#"select U&"pg_\0061dvisory_lock"(1)"#).sessionState, "a session advisory lock")
    }

    /// The in-place screen of a Query frame decides exactly as the screen of its text.
    func testQueryFramesAreScreenedInPlaceAlike() {
        for sql in ["SELECT abalance FROM pgbench_accounts WHERE aid = 5;", "BEGIN", "SET search_path = app", "SELECT 1 -- hi",
                    "select 1 from t where PG_ADVISORY_LOCK(1)", "", "savepoint a", "SAVEPOINTS", "selectx 1", "  (select 1)"] {
            let frame = Frame(uncheckedRaw: FrontendMessage.query(sql).encodedFrame)
            XCTAssertEqual(PoolingEffects.isPlainQuery(frame), PoolingEffects.isPlain(sql), sql)
        }
        XCTAssertTrue(PoolingEffects.isPlain("savepoint a"))
        XCTAssertFalse(PoolingEffects.isPlain("selectx 1"), "only whole keywords start a plain text")
    }
}

// Checks the session facts the classifier reports: transactions, settings, hints, cursors, locks, splitting.

import BulkheadSQL
import XCTest

final class StatementInfoTests: XCTestCase {
    private let classifier = StatementClassifier()

    private func info(_ sql: String, file: StaticString = #filePath, line: UInt = #line) throws -> StatementInfo {
        let classification = try classifier.classify(sql).get()
        XCTAssertEqual(classification.statements.count, 1, sql, file: file, line: line)
        return try XCTUnwrap(classification.statements.first, file: file, line: line)
    }

    func testTransactionControl() throws {
        XCTAssertEqual(try info("BEGIN").transaction, .begin(readOnly: nil))
        XCTAssertEqual(try info("BEGIN READ ONLY").transaction, .begin(readOnly: true))
        XCTAssertEqual(try info("BEGIN ISOLATION LEVEL SERIALIZABLE READ WRITE").transaction, .begin(readOnly: false))
        XCTAssertEqual(try info("START TRANSACTION READ ONLY, DEFERRABLE").transaction, .begin(readOnly: true))
        XCTAssertEqual(try info("SET TRANSACTION READ ONLY").transaction, .setTransaction(readOnly: true))
        XCTAssertEqual(try info("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").transaction, .setTransaction(readOnly: nil))
        XCTAssertEqual(try info("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY").transaction,
                       .setSessionCharacteristics(readOnly: true))
        XCTAssertEqual(try info("COMMIT").transaction, .commit)
        XCTAssertEqual(try info("ROLLBACK").transaction, .rollback)
        XCTAssertEqual(try info("SAVEPOINT sa_1").transaction, .savepoint("sa_1"))
        XCTAssertEqual(try info("RELEASE SAVEPOINT \"Sa 2\"").transaction, .release("Sa 2"))
        XCTAssertEqual(try info("ROLLBACK TO sa_1").transaction, .rollbackTo("sa_1"))
        XCTAssertEqual(try info("PREPARE TRANSACTION 'gid'").transaction, .prepareTransaction("gid"))
        XCTAssertEqual(try info("COMMIT PREPARED 'gid'").transaction, .commitPrepared("gid"))
    }

    func testSettings() throws {
        XCTAssertEqual(try info("SET search_path TO app, 'my schema'").setting,
                       .set(name: "search_path", values: ["app", "my schema"], isLocal: false))
        XCTAssertEqual(try info("SET LOCAL statement_timeout = 5000").setting,
                       .set(name: "statement_timeout", values: ["5000"], isLocal: true))
        XCTAssertEqual(try info("SET extra_float_digits = -3").setting,
                       .set(name: "extra_float_digits", values: ["-3"], isLocal: false))
        XCTAssertEqual(try info("SET \"Search_Path\" = x").setting,
                       .set(name: "search_path", values: ["x"], isLocal: false))
        XCTAssertEqual(try info("SET TIME ZONE 'Europe/Paris'").setting,
                       .set(name: "timezone", values: ["Europe/Paris"], isLocal: false))
        XCTAssertEqual(try info("SET NAMES 'UTF8'").setting, .set(name: "client_encoding", values: ["UTF8"], isLocal: false))
        XCTAssertEqual(try info("SET work_mem TO DEFAULT").setting, .set(name: "work_mem", values: nil, isLocal: false))
        XCTAssertEqual(try info("RESET work_mem").setting, .reset(name: "work_mem"))
        XCTAssertEqual(try info("RESET ALL").setting, .resetAll)
        XCTAssertEqual(try info("SHOW Server_Version").shownSetting, "server_version")
        XCTAssertTrue(try info("SET application_name = 'a'").createsSessionState)
        XCTAssertFalse(try info("SET LOCAL application_name = 'a'").createsSessionState)
    }

    func testPrimaryHint() throws {
        XCTAssertTrue(try info("/* bulkhead:primary */ SELECT 1").forcesPrimary)
        XCTAssertTrue(try info("SELECT 1 /*   BULKHEAD:PRIMARY */").forcesPrimary)
        XCTAssertTrue(try info("SELECT 1 -- bulkhead:primary\n").forcesPrimary)
        XCTAssertFalse(try info("SELECT '/* bulkhead:primary */'").forcesPrimary)
        XCTAssertFalse(try info("SELECT 1 /* not bulkhead:primary at all */").forcesPrimary)
        XCTAssertFalse(try info("SELECT $$/* bulkhead:primary */$$").forcesPrimary)
        let two = try classifier.classify("SELECT 1; /* bulkhead:primary */ SELECT 2").get()
        XCTAssertEqual(two.statements.map(\.forcesPrimary), [false, true])
        XCTAssertTrue(two.forcesPrimary)
    }

    func testSessionStateFacts() throws {
        XCTAssertEqual(try info("DECLARE c CURSOR WITH HOLD FOR SELECT 1").cursor, CursorDeclaration(name: "c", withHold: true))
        XCTAssertTrue(try info("DECLARE c CURSOR WITH HOLD FOR SELECT 1").createsSessionState)
        XCTAssertEqual(try info("DECLARE c NO SCROLL CURSOR FOR SELECT 1").cursor, CursorDeclaration(name: "c", withHold: false))
        XCTAssertFalse(try info("DECLARE c CURSOR FOR SELECT 1").createsSessionState)
        XCTAssertEqual(try info("SELECT pg_advisory_lock(42)").advisoryLocks, .session)
        XCTAssertTrue(try info("SELECT pg_advisory_lock(42)").createsSessionState)
        XCTAssertEqual(try info("SELECT pg_catalog.pg_try_advisory_xact_lock(1, 2)").advisoryLocks, .transaction)
        XCTAssertFalse(try info("SELECT pg_advisory_xact_lock(1)").createsSessionState)
        XCTAssertEqual(try info("SELECT 1 FROM app.documents WHERE pg_advisory_unlock(id)").advisoryLocks, .session)
        XCTAssertTrue(try info("SELECT pg_notify('chan', 'x')").callsNotify)
        XCTAssertTrue(try info("CREATE TEMP TABLE t (a int)").createsTemporaryObject)
        XCTAssertTrue(try info("CREATE TABLE pg_temp.t (a int)").createsTemporaryObject)
        XCTAssertTrue(try info("CREATE TEMP TABLE t AS SELECT 1").createsTemporaryObject)
        XCTAssertTrue(try info("SELECT 1 INTO TEMPORARY t").createsTemporaryObject)
        XCTAssertFalse(try info("CREATE TABLE t (a int)").createsTemporaryObject)
        XCTAssertEqual(try info("LISTEN \"Chan\"").channel, "Chan")
        XCTAssertTrue(try info("LISTEN chan").createsSessionState)
        XCTAssertEqual(try info("UNLISTEN *").channel, "*")
        XCTAssertEqual(try info("NOTIFY chan, 'x'").channel, "chan")
        XCTAssertEqual(try info("PREPARE p AS SELECT 1").preparedStatementName, "p")
        XCTAssertTrue(try info("PREPARE p AS SELECT 1").createsSessionState)
        XCTAssertEqual(try info("EXECUTE p").preparedStatementName, "p")
        XCTAssertNil(try info("DEALLOCATE ALL").preparedStatementName)
        XCTAssertEqual(try info("DISCARD ALL").discard, .all)
        XCTAssertEqual(try info("DISCARD TEMPORARY").discard, .temporary)
    }

    func testMultiStatementSplitting() throws {
        let sql = "BEGIN; SELECT ';' AS semi; /* c; */ UPDATE app.documents SET title = $$a;b$$ WHERE id = 1; COMMIT"
        let parsed = try SQLParser.parse(sql).get()
        XCTAssertEqual(parsed.statements.map(\.node.kind), ["TransactionStmt", "SelectStmt", "UpdateStmt", "TransactionStmt"])
        XCTAssertEqual(parsed.statements.map { $0.sql.trimmingCharacters(in: " ") },
                       ["BEGIN", "SELECT ';' AS semi", "/* c; */ UPDATE app.documents SET title = $$a;b$$ WHERE id = 1", "COMMIT"])
        let classification = classifier.classify(parsed)
        XCTAssertEqual(classification.statements.map(\.kind), [.transaction, .select, .update, .transaction])
        XCTAssertFalse(classification.isReadOnly)
        XCTAssertTrue(try classifier.classify("SELECT 1; SELECT 2;").get().isReadOnly)
        XCTAssertEqual(try classifier.classify(" ; -- nothing\n").get().statements.count, 0)
        XCTAssertFalse(try classifier.classify("").get().isReadOnly)
    }

    func testNegativeLiteralsAreReadFromTheText() throws {
        let parsed = try SQLParser.parse("SELECT -5, 0, - 7, 12, -2147483649").get()
        let values = parsed.statements[0].node.nodes("targetList").compactMap { $0.node("val") }.map(parsed.constantValue(of:))
        XCTAssertEqual(values, [.integer(-5), .integer(0), .integer(-7), .integer(12), .number("-2147483649")])
    }

    func testParseErrorsCarryPositions() {
        guard case .failure(let error) = SQLParser.parse("SELECT * FORM app.documents") else {
            return XCTFail("expected a syntax error")
        }
        XCTAssertEqual(error.position, 10)
        XCTAssertTrue(error.message.contains("syntax error"), error.message)
    }
}

private extension String {
    func trimmingCharacters(in set: Character) -> String {
        var result = Substring(self)
        while result.first == set { result.removeFirst() }
        while result.last == set { result.removeLast() }
        return String(result)
    }
}

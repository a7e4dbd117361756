// Startup-parameter checks and the quoting of values the proxy sends back to the server.

import BulkheadSession
import BulkheadWire
import XCTest

final class StartupCheckTests: XCTestCase {
    private func check(_ parameters: [(String, String)]) -> Result<StartupCheck.Request, StartupCheck.Refusal> {
        StartupCheck.check(StartupMessage(parameters: parameters.map { StartupParameter(name: $0.0, value: $0.1) }))
    }

    func testDatabaseDefaultsToUser() throws {
        let request = try check([("user", "bob")]).get()
        XCTAssertEqual(request.database, "bob")
    }

    func testOptionsDashCAreParsedIntoParameters() throws {
        let request = try check([("user", "u"), ("options", "-c statement_timeout=5s --lock-timeout=1s -csearch_path=a\\ b")]).get()
        XCTAssertEqual(request.parameters["statement_timeout"], "5s")
        XCTAssertEqual(request.parameters["lock_timeout"], "1s")
        XCTAssertEqual(request.parameters["search_path"], "a b")
    }

    func testOtherOptionsAreRefused() {
        guard case .failure(let refusal) = check([("user", "u"), ("options", "-d 5")]) else { return XCTFail("accepted") }
        XCTAssertEqual(refusal.sqlState, "0A000")
    }

    func testInvalidParameterNamesAreRefused() {
        guard case .failure(let refusal) = check([("user", "u"), ("bad name;", "x")]) else { return XCTFail("accepted") }
        XCTAssertEqual(refusal.sqlState, "08P01")
    }

    func testReplicationFalseIsHarmless() throws {
        XCTAssertNoThrow(try check([("user", "u"), ("replication", "false")]).get())
    }

    func testLiteralsCannotBreakOutOfTheirQuotes() {
        XCTAssertEqual(ParameterSync.literal("it's"), "E'it''s'")
        XCTAssertEqual(ParameterSync.literal("a\\'; DROP TABLE x; --"), "E'a\\\\''; DROP TABLE x; --'")
    }
}

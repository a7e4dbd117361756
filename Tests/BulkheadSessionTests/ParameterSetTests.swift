// ParameterSet keys names case-insensitively, keeps the first spelling, and lists parameters sorted by name.

@testable import BulkheadSession
import XCTest

final class ParameterSetTests: XCTestCase {
    func testNamesAreCaseInsensitiveAndTheFirstSpellingIsKept() {
        var set = ParameterSet([("TimeZone", "UTC")])
        set["timezone"] = "Europe/Paris"
        XCTAssertEqual(set["TIMEZONE"], "Europe/Paris")
        XCTAssertEqual(set.sorted.map(\.name), ["TimeZone"])
        set["TimeZone"] = nil
        XCTAssertEqual(set.count, 0)
        set["absent"] = nil
        XCTAssertEqual(set.count, 0)
    }

    func testParametersAreSortedByLowerCasedNameWhateverTheInsertionOrder() {
        let names = ["search_path", "DateStyle", "application_name", "TimeZone", "client_encoding", "IntervalStyle", "a", "zz"]
        var forward = ParameterSet()
        var backward = ParameterSet()
        for name in names { forward[name] = "v" }
        for name in names.reversed() { backward[name] = "v" }
        let expected = names.sorted { $0.lowercased() < $1.lowercased() }
        XCTAssertEqual(forward.sorted.map(\.name), expected)
        XCTAssertEqual(forward, backward)
        for name in names { XCTAssertEqual(forward.value(forKey: name.lowercased()), "v") }
    }

    func testSyncCoversWantedMissingAndLeftoverParameters() throws {
        let initial = ParameterSet([("application_name", ""), ("TimeZone", "UTC"), ("server_version", "15.0")])
        var used = ServerLink(id: 1, backendKey: nil, parameters: initial)
        used.parameters["application_name"] = "previous"
        used.parameters["statement_timeout"] = "1s"
        used.parameters["is_superuser"] = "off"
        let wanted = ParameterSet([("TimeZone", "Europe/Paris"), ("DateStyle", "ISO, DMY"), ("application_name", "previous")])
        let sql = try XCTUnwrap(ParameterSync.statement(wanted: wanted, link: used))
        XCTAssertEqual(sql, "SELECT pg_catalog.set_config(E'DateStyle', E'ISO, DMY', false), "
                       + "pg_catalog.set_config(E'statement_timeout', (SELECT reset_val FROM pg_catalog.pg_settings WHERE name = E'statement_timeout'), false), "
                       + "pg_catalog.set_config(E'TimeZone', E'Europe/Paris', false)")
        used.parameters = ParameterSync.applied(wanted: wanted, link: used)
        used.parameters["statement_timeout"] = nil
        XCTAssertNil(ParameterSync.statement(wanted: wanted, link: used), "nothing left to change")
    }
}

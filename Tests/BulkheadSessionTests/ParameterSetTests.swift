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

    func testTheInternerHandsOutOneInstancePerDistinctSetUpToItsCapacity() {
        let interner = ParameterSetInterner(capacity: 2)
        let first = interner.intern(ParameterSet([("TimeZone", "UTC"), ("DateStyle", "ISO")]))
        // Built in another order, so another storage with equal contents.
        let again = interner.intern(ParameterSet([("DateStyle", "ISO"), ("TimeZone", "UTC")]))
        XCTAssertTrue(again.isIdentical(to: first))
        let other = interner.intern(ParameterSet([("TimeZone", "Europe/Paris")]))
        XCTAssertFalse(other.isIdentical(to: first))
        // Full: a third distinct set comes back unshared, and is not remembered.
        let third = ParameterSet([("TimeZone", "Asia/Tokyo")])
        XCTAssertTrue(interner.intern(third).isIdentical(to: third))
        XCTAssertFalse(interner.intern(ParameterSet([("TimeZone", "Asia/Tokyo")])).isIdentical(to: third))
        XCTAssertEqual(interner.count, 2)
    }

    /// A link remembers the set it was synced for only while its parameters stay as they were: anything a client
    /// changes on it (a SET the server reports, a value read back) makes the next checkout compare again.
    func testASyncedLinkSkipsTheComparisonOnlyUntilItsParametersChange() throws {
        let initial = ParameterSet([("application_name", ""), ("TimeZone", "UTC")])
        var link = ServerLink(id: 1, backendKey: nil, parameters: initial)
        let wanted = ParameterSet([("TimeZone", "UTC")])
        XCTAssertNil(ParameterSync.statement(wanted: wanted, link: link))
        link.syncedWanted = wanted
        XCTAssertTrue(try XCTUnwrap(link.syncedWanted).isIdentical(to: wanted))
        link.parameters["TimeZone"] = "Europe/Paris"
        XCTAssertNil(link.syncedWanted, "a change to the connection's parameters forgets the sync")
        let sql = try XCTUnwrap(ParameterSync.statement(wanted: wanted, link: link))
        XCTAssertEqual(sql, "SELECT pg_catalog.set_config(E'TimeZone', E'UTC', false)")
    }
}

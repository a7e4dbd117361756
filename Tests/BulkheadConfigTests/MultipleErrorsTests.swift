// All problems in a file are reported together, in line order.

import XCTest
@testable import BulkheadConfig

final class MultipleErrorsTests: XCTestCase {
    func testEveryProblemIsReportedInLineOrder() throws {
        let text = """
            [proxy]
            workers = "two"
            pool_mode = "sessions"
            bogus = 1

            [[nodes]]
            name = "bad name!"
            host = "h"
            role = "primary"
            port = 99999

            [[databases]]
            name = "app"
            pool_size = 0
            isolation = "shared"
            tenant_tables = ["oops"]

            [[users]]
            name = "u"
            auth_method = "md5"
            password = "\(Fixture.scramVerifier)"
            """
        let found = errors(text)
        XCTAssertEqual(found.map(\.key), [
            "proxy.workers", "proxy.pool_mode", "proxy.bogus",
            "nodes[0].name", "nodes[0].port",
            "databases[0].server_user", "databases[0].pool_size", "databases[0].tenant_tables[0]",
            "users[0].password",
        ])
        XCTAssertEqual(found.map(\.line), [2, 3, 4, 7, 10, 12, 14, 16, 21])
        XCTAssertEqual(found.last?.message, "md5 needs a plaintext or md5 secret, got a SCRAM verifier")
    }

    func testDescriptionListsOneErrorPerLine() {
        do {
            _ = try BulkheadConfig.parse("[proxy]\nworkers = -1\nlog_level = \"loud\"\n" + Fixture.minimal, file: "x.toml")
            XCTFail("expected errors")
        } catch {
            let lines = error.description.split(separator: "\n")
            XCTAssertEqual(lines.count, 2)
            XCTAssertTrue(lines[0].hasPrefix("x.toml:2: proxy.workers: "))
            XCTAssertTrue(lines[1].hasPrefix("x.toml:3: proxy.log_level: "))
        }
    }

    func testInvalidEntriesDoNotCascadeIntoReferenceErrors() throws {
        let text = Fixture.nodes + """
            [[databases]]
            name = "d"
            isolation = "schema"

            [[tenants]]
            name = "t"
            database = "d"
            users = [{ name = "u", password = "pw" }]
            """
        // The database lacks server_user; its tenant must not also be told the database does not exist.
        let error = try XCTUnwrap(singleError(text))
        XCTAssertEqual(error.key, "databases[0].server_user")
    }
}

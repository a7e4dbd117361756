// The line locator attributes keys, headers, array elements and inline tables to the right lines.

import XCTest
@testable import BulkheadConfig

final class SourceLocatorTests: XCTestCase {
    private func path(_ components: ConfigPath.Component...) -> ConfigPath {
        ConfigPath(components: components)
    }

    func testHeadersKeysAndArrayOfTablesIndices() {
        let locator = SourceLocator(text: """
            # top comment
            title = "x"

            [proxy]
            listen = "a:1" # trailing [not a header]

            [[nodes]]
            name = "a"

            [[nodes]]
            name = "b"
            """)
        XCTAssertEqual(locator.line(for: ConfigPath("title")), 2)
        XCTAssertEqual(locator.line(for: ConfigPath("proxy")), 4)
        XCTAssertEqual(locator.line(for: ConfigPath("proxy", "listen")), 5)
        XCTAssertEqual(locator.line(for: ConfigPath("nodes")), 7)
        XCTAssertEqual(locator.line(for: path(.key("nodes"), .index(0))), 7)
        XCTAssertEqual(locator.line(for: path(.key("nodes"), .index(0), .key("name"))), 8)
        XCTAssertEqual(locator.line(for: path(.key("nodes"), .index(1))), 10)
        XCTAssertEqual(locator.line(for: path(.key("nodes"), .index(1), .key("name"))), 11)
    }

    func testMissingKeyFallsBackToItsTableHeader() {
        let locator = SourceLocator(text: "[proxy]\nx = 1\n\n[[databases]]\nname = \"a\"\n")
        let missing = path(.key("databases"), .index(0), .key("server_user"))
        XCTAssertNil(locator.exactLine(for: missing))
        XCTAssertEqual(locator.line(for: missing), 4)
        XCTAssertEqual(locator.line(for: ConfigPath("proxy", "absent")), 1)
        XCTAssertNil(locator.line(for: ConfigPath("nowhere")))
    }

    func testInlineTablesInArrays() {
        let locator = SourceLocator(text: """
            [[tenants]]
            name = "t"
            users = [{ name = "a", password = "p" }, { name = "b" }]

            [[tenants]]
            users = [
              # a comment with { braces } and [brackets]
              { name = "c", password = "p,]}" },

              { name = "d",
                password = "q" },
            ]
            """)
        let users0 = path(.key("tenants"), .index(0), .key("users"))
        XCTAssertEqual(locator.line(for: users0), 3)
        XCTAssertEqual(locator.line(for: users0.element(1).child("name")), 3)
        let users1 = path(.key("tenants"), .index(1), .key("users"))
        XCTAssertEqual(locator.line(for: users1), 6)
        XCTAssertEqual(locator.line(for: users1.element(0)), 8)
        XCTAssertEqual(locator.line(for: users1.element(0).child("password")), 8)
        XCTAssertEqual(locator.line(for: users1.element(1)), 10)
        XCTAssertEqual(locator.line(for: users1.element(1).child("password")), 11)
        XCTAssertEqual(locator.line(for: users1.element(1).child("pool_mode")), 10)
    }

    func testStringsThatLookLikeStructure() {
        let locator = SourceLocator(text: #"""
            a = """
            [not_a_table]
            b = "no"
            """
            c = 'x = [ { '
            d = "esc \" [ still string"
            e = '''
            multi ' '' quotes
            f = 2
            '''''
            g = 1979-05-27 07:32:00
            h = [1, [2, 3], { i = 4 }]
            """#)
        XCTAssertEqual(locator.line(for: ConfigPath("a")), 1)
        XCTAssertNil(locator.exactLine(for: ConfigPath("not_a_table")))
        XCTAssertNil(locator.exactLine(for: ConfigPath("b")))
        XCTAssertEqual(locator.line(for: ConfigPath("c")), 5)
        XCTAssertEqual(locator.line(for: ConfigPath("d")), 6)
        XCTAssertEqual(locator.line(for: ConfigPath("e")), 7)
        XCTAssertNil(locator.exactLine(for: ConfigPath("f")))
        XCTAssertEqual(locator.line(for: ConfigPath("g")), 11)
        XCTAssertEqual(locator.exactLine(for: path(.key("h"), .index(2), .key("i"))), 12)
        XCTAssertEqual(locator.exactLine(for: path(.key("h"), .index(1), .index(1))), 12)
    }

    func testDottedAndQuotedKeysAndSubTablesOfArrayElements() {
        let locator = SourceLocator(text: """
            [ "proxy" ]
            "odd key" = 1
            a . b = 2
            "esc\\u0041pe" = 3

            [[tenants]]
            name = "x"
            [tenants.extra]
            k = 1

            [[tenants.users]]
            name = "u"
            """)
        XCTAssertEqual(locator.line(for: ConfigPath("proxy", "odd key")), 2)
        XCTAssertEqual(locator.line(for: ConfigPath("proxy", "a")), 3)
        XCTAssertEqual(locator.line(for: ConfigPath("proxy", "a", "b")), 3)
        XCTAssertEqual(locator.exactLine(for: ConfigPath("proxy", "escApe")), 4)
        let tenant = path(.key("tenants"), .index(0))
        XCTAssertEqual(locator.exactLine(for: tenant.child("extra").child("k")), 9)
        XCTAssertEqual(locator.exactLine(for: tenant.child("users").element(0).child("name")), 12)
    }

    func testCRLFLineEndings() {
        let locator = SourceLocator(text: "[proxy]\r\nworkers = 1\r\n\r\n[[nodes]]\r\nname = \"n\"\r\n")
        XCTAssertEqual(locator.line(for: ConfigPath("proxy", "workers")), 2)
        XCTAssertEqual(locator.line(for: path(.key("nodes"), .index(0), .key("name"))), 5)
    }

    func testMalformedTextNeverTrapsAndStillLocatesWhatItCan() {
        let samples = [
            "[", "[[", "a = [", "a = {", "a = \"", "a = '''", "= 1", "]]]", "a = [1,,}", "\"\\", "x.\n=",
            String(repeating: "[", count: 10_000), "k = " + String(repeating: "[", count: 10_000),
            "a = { b = { c = [ { d = 1 ",
        ]
        for sample in samples {
            _ = SourceLocator(text: sample)
        }
        let locator = SourceLocator(text: "b = 2\na = [1,,}\n")
        XCTAssertEqual(locator.line(for: ConfigPath("b")), 1)
        XCTAssertEqual(locator.line(for: ConfigPath("a")), 2)
    }

    func testPathDescriptions() {
        XCTAssertEqual(path(.key("databases"), .index(0), .key("pool_size")).description, "databases[0].pool_size")
        XCTAssertEqual(path(.key("a b"), .key("q\"x")).description, "\"a b\".\"q\\\"x\"")
        XCTAssertEqual(ConfigPath.root.description, "")
        XCTAssertEqual(path(.key("x"), .index(2)).parent, ConfigPath("x"))
        XCTAssertNil(ConfigPath.root.parent)
    }
}

// Broken TOML and unreadable files give one clear, located error.

import XCTest
@testable import BulkheadConfig

final class SyntaxErrorTests: XCTestCase {
    func testBrokenTOMLReportsTOMLKitsLineAndTheFileName() throws {
        let text = "[proxy]\nworkers = 2\nlisten = \n[[nodes]]\n"
        do {
            _ = try BulkheadConfig.parse(text, file: "conf/broken.toml")
            XCTFail("expected a syntax error")
        } catch {
            let only = try XCTUnwrap(error.errors.first)
            XCTAssertEqual(error.errors.count, 1)
            XCTAssertEqual(only.file, "conf/broken.toml")
            XCTAssertEqual(only.line, 3)
            XCTAssertEqual(only.key, "")
            XCTAssertTrue(only.message.hasPrefix("invalid TOML at column "), only.message)
            XCTAssertTrue(only.description.hasPrefix("conf/broken.toml:3: invalid TOML"), only.description)
        }
    }

    func testRedefinedKeyIsASyntaxError() throws {
        let error = try XCTUnwrap(singleError("[proxy]\nworkers = 1\n\nworkers = 2\n" + Fixture.minimal))
        XCTAssertEqual(error.line, 4)
        XCTAssertTrue(error.message.contains("workers"), error.message)
    }

    func testUnterminatedArrayReportsALine() throws {
        let error = try XCTUnwrap(singleError("[proxy]\nadmin_users = [\"a\",\n"))
        XCTAssertNotNil(error.line)
        XCTAssertTrue(error.message.hasPrefix("invalid TOML"))
    }

    func testNulByteIsRejectedBeforeTOMLKitWouldTruncateAtIt() throws {
        let error = try XCTUnwrap(singleError(Fixture.minimal + "bogus = 1\u{0}\n"))
        XCTAssertEqual(error.line, 8)
        XCTAssertEqual(error.message, "the file contains a NUL byte")
    }

    func testEmptyFileNeedsNodesAndDatabases() {
        XCTAssertEqual(errors("").map(\.key), ["nodes", "databases"])
    }
}

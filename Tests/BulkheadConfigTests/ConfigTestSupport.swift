// Shared fixtures and helpers: a minimal valid configuration and ways to parse expecting success or failure.

import XCTest
@testable import BulkheadConfig

/// The smallest configuration that loads, to which tests append the sections they exercise.
enum Fixture {
    static let nodes = """
        [[nodes]]
        name = "primary"
        host = "127.0.0.1"
        role = "primary"

        """

    static let database = """
        [[databases]]
        name = "app"
        server_user = "postgres"

        """

    static let minimal = nodes + database

    /// A shared-isolation database and a schema-isolation one, for tenant tests.
    static let tenantDatabases = """
        [[databases]]
        name = "shared_db"
        server_user = "postgres"
        isolation = "shared"
        tenant_tables = ["app.documents"]

        [[databases]]
        name = "schema_db"
        server_user = "postgres"
        isolation = "schema"

        """

    static let scramVerifier = "SCRAM-SHA-256$4096:AAECAwQFBgcICQoLDA0ODw==$"
        + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
}

extension XCTestCase {
    /// Parses text that must be valid.
    func parse(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> BulkheadConfig? {
        do {
            return try BulkheadConfig.parse(text, file: "test.toml")
        } catch {
            XCTFail("expected a valid configuration, got:\n\(error)", file: file, line: line)
            return nil
        }
    }

    /// Parses text that must be invalid and returns every error.
    func errors(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [ConfigError] {
        do {
            let config = try BulkheadConfig.parse(text, file: "test.toml")
            XCTFail("expected errors, got a configuration: \(config)", file: file, line: line)
            return []
        } catch {
            return error.errors
        }
    }

    /// Parses text that must be invalid with exactly one error, and returns it.
    func singleError(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> ConfigError? {
        let found = errors(text, file: file, line: line)
        XCTAssertEqual(found.count, 1, "expected one error, got:\n\(ConfigErrors(errors: found))", file: file, line: line)
        return found.first
    }

    /// The 1-based line of the first line of `text` containing `needle`.
    func lineNumber(of needle: String, in text: String, file: StaticString = #filePath, line: UInt = #line) -> Int? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard let index = lines.firstIndex(where: { $0.contains(needle) }) else {
            XCTFail("\"\(needle)\" is not in the text", file: file, line: line)
            return nil
        }
        return index + 1
    }
}

// End-to-end logins through the proxy with libpq: each client method, each server method, and refusals that look alike.

import CLibPQ
import Foundation
import XCTest

final class AuthenticationTests: XCTestCase {
    nonisolated(unsafe) var proxy: ProxyFixture!

    override func setUpWithError() throws { proxy = try ProxyFixture.start() }
    override func tearDown() { proxy?.stop() }

    func testSCRAMMD5AndTrustUsersLogIn() throws {
        XCTAssertEqual(try proxy.connect(user: "app", password: "app-secret").exec("SELECT 1").first, "1")
        XCTAssertEqual(try proxy.connect(user: "md5user", password: "md5-secret").exec("SELECT 2").first, "2")
        XCTAssertEqual(try proxy.connect(user: "trustuser", password: "").exec("SELECT 3").first, "3")
        XCTAssertEqual(try proxy.connect(user: "hashed", password: "hashed-secret").exec("SELECT 4").first, "4",
                       "a verifier printed by `bulkhead hash-password` works as the configured secret")
    }

    func testProxyLogsInToTheServerWithWhateverMethodItAsks() throws {
        for (database, role) in [("docs_md5", "bh_md5"), ("docs_clear", "bh_clear"), ("docs_trust", "bh_trust"), ("docs_scram", "bh_scram")] {
            let connection = try proxy.connect(database: database)
            XCTAssertEqual(try connection.exec("SELECT current_user").first, role, database)
        }
    }

    private func loginError(user: String, password: String, database: String = "docs") -> (String, TimeInterval) {
        let start = Date()
        do {
            _ = try proxy.connect(user: user, password: password, database: database)
            return ("connected", 0)
        } catch {
            return ("\(error)", Date().timeIntervalSince(start))
        }
    }

    func testWrongPasswordAndUnknownUserGetTheSameErrorAfterTheSameDelay() {
        let (wrong, wrongTime) = loginError(user: "app", password: "nope")
        let (unknown, unknownTime) = loginError(user: "nobody", password: "nope")
        XCTAssertTrue(wrong.contains("password authentication failed for user \"app\""), wrong)
        XCTAssertTrue(unknown.contains("password authentication failed for user \"nobody\""), unknown)
        XCTAssertGreaterThanOrEqual(wrongTime, 0.2)
        XCTAssertGreaterThanOrEqual(unknownTime, 0.2)
        let (md5Wrong, md5Time) = loginError(user: "md5user", password: "nope")
        XCTAssertTrue(md5Wrong.contains("password authentication failed"), md5Wrong)
        XCTAssertGreaterThanOrEqual(md5Time, 0.2)
    }

    func testUnknownDatabaseIs3D000OnlyWithTheRightPassword() {
        let (right, _) = loginError(user: "app", password: "app-secret", database: "nosuch")
        XCTAssertTrue(right.contains("database \"nosuch\" does not exist"), right)
        let (wrong, _) = loginError(user: "app", password: "bad", database: "nosuch")
        XCTAssertTrue(wrong.contains("password authentication failed"), "a wrong password must not reveal which databases exist: \(wrong)")
    }

    func testSSLPreferFallsBackToPlaintextAndRequireIsRefused() throws {
        XCTAssertEqual(try proxy.connect(extra: "sslmode=prefer").exec("SELECT 5").first, "5")
        XCTAssertThrowsError(try proxy.connect(extra: "sslmode=require"))
    }
}

// Passwords are classified and SCRAM verifiers' shape is checked, without any crypto dependency.

import XCTest
@testable import BulkheadConfig

final class PasswordTests: XCTestCase {
    private let storedKey = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    private let serverKey = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="

    func testClassification() throws {
        XCTAssertEqual(try PasswordSecret.parse("hunter2").get(), .plaintext("hunter2"))
        let md5 = "md5" + String(repeating: "0123456789abcdef", count: 2)
        XCTAssertEqual(try PasswordSecret.parse(md5).get(), .md5(md5))
        // Upper-case hex or a wrong length is not an md5 hash for PostgreSQL, so it is a plaintext password.
        XCTAssertEqual(try PasswordSecret.parse(md5.uppercased()).get(), .plaintext(md5.uppercased()))
        XCTAssertEqual(try PasswordSecret.parse(md5 + "0").get(), .plaintext(md5 + "0"))
        guard case .scram(let verifier) = try PasswordSecret.parse(Fixture.scramVerifier).get() else {
            return XCTFail("expected a SCRAM verifier")
        }
        XCTAssertEqual(verifier.iterations, 4096)
        XCTAssertEqual(verifier.salt, Array(0..<16))
        XCTAssertEqual(verifier.storedKey, Array(0..<32))
        XCTAssertEqual(verifier.serverKey, Array(32..<64))
    }

    func testMalformedSCRAMVerifiers() {
        let salt = "AAECAwQFBgcICQoLDA0ODw=="
        let cases: [(String, String)] = [
            ("SCRAM-SHA-256$4096:\(salt)", "a SCRAM verifier must look like"),
            ("SCRAM-SHA-256$4096$\(storedKey):\(serverKey)", "a SCRAM verifier must look like"),
            ("SCRAM-SHA-256$0:\(salt)$\(storedKey):\(serverKey)", "the SCRAM iteration count must be a positive integer"),
            ("SCRAM-SHA-256$-5:\(salt)$\(storedKey):\(serverKey)", "the SCRAM iteration count must be a positive integer"),
            ("SCRAM-SHA-256$99999999999999999999:\(salt)$\(storedKey):\(serverKey)", "the SCRAM iteration count"),
            ("SCRAM-SHA-256$4096:not*base64$\(storedKey):\(serverKey)", "the SCRAM salt is not valid base64"),
            ("SCRAM-SHA-256$4096:$\(storedKey):\(serverKey)", "the SCRAM salt is not valid base64"),
            ("SCRAM-SHA-256$4096:\(salt)$AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHg==:\(serverKey)", "the SCRAM StoredKey must be 32 bytes"),
            ("SCRAM-SHA-256$4096:\(salt)$\(storedKey):@@@", "the SCRAM ServerKey must be 32 bytes"),
            ("SCRAM-SHA-256$4096:\(salt)$\(storedKey):\(serverKey):extra", "a SCRAM verifier must look like"),
        ]
        for (text, expected) in cases {
            switch PasswordSecret.parse(text) {
            case .success(let secret):
                XCTFail("\(text) parsed as \(secret)")
            case .failure(let message):
                XCTAssertTrue(message.text.hasPrefix(expected), "\(text): \(message.text)")
            }
        }
    }

    private func user(_ fields: String) -> String {
        Fixture.minimal + "[[users]]\nname = \"u\"\n" + fields
    }

    func testSecretMustSuitTheAuthMethod() {
        let md5Hash = "md5" + String(repeating: "ab", count: 16)
        XCTAssertEqual(
            singleError(user("auth_method = \"md5\"\npassword = \"\(Fixture.scramVerifier)\"\n"))?.description,
            "test.toml:11: users[0].password: md5 needs a plaintext or md5 secret, got a SCRAM verifier"
        )
        XCTAssertEqual(
            singleError(user("password = \"\(md5Hash)\"\n"))?.message,
            "scram-sha-256 needs a plaintext or SCRAM secret, got an md5 hash"
        )
        XCTAssertEqual(parse(user("auth_method = \"md5\"\npassword = \"\(md5Hash)\"\n"))?.users.first?.secret, .md5(md5Hash))
        XCTAssertNotNil(parse(user("password = \"\(Fixture.scramVerifier)\"\n")))
        XCTAssertNotNil(parse(user("auth_method = \"md5\"\npassword = \"plain\"\n")))
    }

    func testProxyDefaultAuthMethodAppliesToTheCheck() throws {
        let text = "[proxy]\nauth_method = \"md5\"\n" + user("password = \"\(Fixture.scramVerifier)\"\n")
        XCTAssertEqual(singleError(text)?.key, "users[0].password")
    }

    func testPasswordRequiredUnlessTrust() {
        let missing = singleError(user(""))
        XCTAssertEqual(missing?.key, "users[0].password")
        XCTAssertEqual(missing?.message, "is required unless auth_method = \"trust\"")
        XCTAssertEqual(missing?.line, 8)
        XCTAssertEqual(singleError(user("password = \"\"\n"))?.message, "must not be empty unless auth_method = \"trust\"")
        let trusted = parse(user("auth_method = \"trust\"\n"))?.users.first
        XCTAssertEqual(trusted?.authMethod, .trust)
        XCTAssertNil(trusted?.password)
        XCTAssertNil(trusted?.secret)
        XCTAssertNotNil(parse("[proxy]\nauth_method = \"trust\"\n" + user("")))
    }

    func testMalformedVerifierInTenantUserIsLocated() throws {
        let text = Fixture.nodes + Fixture.tenantDatabases + """
            [[tenants]]
            name = "t"
            database = "schema_db"
            users = [
              { name = "ok", password = "pw" },
              { name = "bad", password = "SCRAM-SHA-256$x:y$z:w" },
            ]
            """
        let error = try XCTUnwrap(singleError(text))
        XCTAssertEqual(error.key, "tenants[0].users[1].password")
        XCTAssertEqual(error.line, 20)
        XCTAssertEqual(error.message, "the SCRAM iteration count must be a positive integer")
    }
}

// PostgreSQL md5 password authentication, pinned against values computed with Python's hashlib.
import BulkheadAuth
import XCTest

final class MD5AuthTests: XCTestCase {
    let salt: [UInt8] = [0x01, 0x02, 0x03, 0x04]
    /// hashlib: "md5" + md5(b"postgres" + b"postgres").hexdigest()
    let storedHash = "md53175bce1d3201d16594cebf9d7eb3f9d"
    /// hashlib: "md5" + md5(md5(b"postgrespostgres").hexdigest().encode() + bytes([1, 2, 3, 4])).hexdigest()
    let expectedResponse = "md568be9ed08db75f318087ab337aaea044"

    func testResponseMatchesPinnedValue() {
        XCTAssertEqual(MD5Auth.response(user: "postgres", password: "postgres", salt: salt), expectedResponse)
        XCTAssertEqual(MD5Auth.hashedPassword(user: "postgres", password: "postgres"), storedHash)
    }

    func testVerifiesAgainstPlaintextAndMD5Secrets() {
        XCTAssertTrue(MD5Auth.verify(response: expectedResponse, user: "postgres", stored: .plaintext("postgres"), salt: salt))
        XCTAssertTrue(MD5Auth.verify(response: expectedResponse, user: "postgres", stored: .md5(storedHash), salt: salt))
    }

    func testRejectsWrongPasswordUserOrSalt() {
        let wrongPassword = MD5Auth.response(user: "postgres", password: "postgre", salt: salt)
        XCTAssertFalse(MD5Auth.verify(response: wrongPassword, user: "postgres", stored: .plaintext("postgres"), salt: salt))
        XCTAssertFalse(MD5Auth.verify(response: wrongPassword, user: "postgres", stored: .md5(storedHash), salt: salt))
        // md5 hashes are salted with the role name, so another user's login can't reuse them.
        let otherUser = MD5Auth.response(user: "alice", password: "postgres", salt: salt)
        XCTAssertFalse(MD5Auth.verify(response: otherUser, user: "alice", stored: .md5(storedHash), salt: salt))
        XCTAssertFalse(MD5Auth.verify(response: expectedResponse, user: "postgres", stored: .md5(storedHash), salt: [1, 2, 3, 5]))
    }

    func testRejectsMalformedResponsesAndUnusableSecrets() {
        for response in ["", "md5", expectedResponse.uppercased(), expectedResponse + "0", String(expectedResponse.dropLast())] {
            XCTAssertFalse(MD5Auth.verify(response: response, user: "postgres", stored: .plaintext("postgres"), salt: salt), response)
        }
        let scram = SCRAMVerifier.make(password: "postgres", iterations: 1)
        XCTAssertFalse(MD5Auth.verify(response: expectedResponse, user: "postgres", stored: .scram(scram), salt: salt))
        XCTAssertFalse(MD5Auth.verify(response: expectedResponse, user: "postgres", stored: .md5("md5not-a-hash"), salt: salt))
    }
}

// Replays the SCRAM-SHA-256 example exchange from RFC 7677 section 3 through both roles.
import BulkheadAuth
import XCTest

final class RFC7677VectorTests: XCTestCase {
    let clientFirst = "n,,n=user,r=rOprNGfwEbeRWgbNEkqO"
    let serverNoncePart = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
    let serverFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
    let clientFinal = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="
    let serverFinal = "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="

    func rfcVerifier() throws -> SCRAMVerifier {
        let salt = try XCTUnwrap(Base64.decode("W22ZaJ0SNY7soEsUEjb6gQ=="))
        return SCRAMVerifier.derive(password: "pencil", salt: salt, iterations: 4096)
    }

    func testClientProducesRFCClientFinalAndAcceptsRFCServerFinal() throws {
        var client = SCRAMClient(password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO", username: "user")
        XCTAssertEqual(text(client.clientFirstMessage()), clientFirst)
        XCTAssertEqual(text(try client.receiveServerFirst(bytes(serverFirst))), clientFinal)
        XCTAssertNoThrow(try client.receiveServerFinal(bytes(serverFinal)))
    }

    func testServerProducesRFCServerMessages() throws {
        var server = SCRAMServer(secret: try rfcVerifier(), serverNonce: bytes(serverNoncePart))
        XCTAssertEqual(text(try successValue(server.receiveClientFirst(bytes(clientFirst)))), serverFirst)
        XCTAssertEqual(text(try successValue(server.receiveClientFinal(bytes(clientFinal)))), serverFinal)
    }

    func testServerIgnoresSCRAMUsername() throws {
        // PostgreSQL authenticates the startup user; n= is not part of the check beyond the auth message.
        var server = SCRAMServer(secret: try rfcVerifier(), serverNonce: bytes(serverNoncePart))
        let otherFirst = "n,,n=somebody=2Celse,r=rOprNGfwEbeRWgbNEkqO"
        XCTAssertEqual(text(try successValue(server.receiveClientFirst(bytes(otherFirst)))), serverFirst)
        var client = SCRAMClient(password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO", username: "somebody,else")
        XCTAssertEqual(text(client.clientFirstMessage()), otherFirst)
        let final = try client.receiveServerFirst(bytes(serverFirst))
        let signature = try successValue(server.receiveClientFinal(final))
        XCTAssertNoThrow(try client.receiveServerFinal(signature))
    }

    func testClientRejectsTamperedRFCServerFinal() throws {
        var client = SCRAMClient(password: "pencil", clientNonce: "rOprNGfwEbeRWgbNEkqO", username: "user")
        _ = try client.receiveServerFirst(bytes(serverFirst))
        let tampered = "v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
        XCTAssertThrowsError(try client.receiveServerFinal(bytes(tampered))) { error in
            assertInvalidMessage(error as? AuthFailure, containing: "server signature")
        }
    }
}

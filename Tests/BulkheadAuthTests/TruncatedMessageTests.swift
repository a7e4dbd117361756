// Every truncation of a valid SCRAM message must fail cleanly instead of crashing or succeeding.
import BulkheadAuth
import XCTest

final class TruncatedMessageTests: XCTestCase {
    func testServerRejectsEveryTruncatedClientFinal() throws {
        let verifier = SCRAMVerifier.make(password: "pw", iterations: 8)
        var client = SCRAMClient(password: "pw", clientNonce: "CLI")
        var probe = SCRAMServer(secret: verifier, serverNonce: bytes("SRV"))
        let serverFirst = try successValue(probe.receiveClientFirst(client.clientFirstMessage()))
        let final = try client.receiveServerFirst(serverFirst)
        for length in 0..<final.count {
            var server = SCRAMServer(secret: verifier, serverNonce: bytes("SRV"))
            _ = try successValue(server.receiveClientFirst(client.clientFirstMessage()))
            XCTAssertNotNil(failureValue(server.receiveClientFinal(Array(final.prefix(length)))), "length \(length)")
        }
        var server = SCRAMServer(secret: verifier, serverNonce: bytes("SRV"))
        _ = try successValue(server.receiveClientFirst(client.clientFirstMessage()))
        XCTAssertNoThrow(try client.receiveServerFinal(try successValue(server.receiveClientFinal(final))))
    }

    func testServerRejectsTruncatedClientFirstUntilTheNonceBegins() {
        let first = bytes("n,,n=,r=CLI")
        for length in 0..<"n,,n=,r=C".utf8.count {
            var server = SCRAMServer(secret: SCRAMVerifier.make(password: "pw", iterations: 1))
            XCTAssertNotNil(failureValue(server.receiveClientFirst(Array(first.prefix(length)))), "length \(length)")
        }
    }

    func testClientRejectsEveryTruncatedServerFinal() throws {
        let verifier = SCRAMVerifier.make(password: "pw", iterations: 8)
        var server = SCRAMServer(secret: verifier)
        let template = SCRAMClient(password: "pw", clientNonce: "CLI")
        var client = template
        let serverFirst = try successValue(server.receiveClientFirst(client.clientFirstMessage()))
        let serverFinal = try successValue(server.receiveClientFinal(try client.receiveServerFirst(serverFirst)))
        for length in 0..<serverFinal.count {
            var truncatedClient = template
            _ = try truncatedClient.receiveServerFirst(serverFirst)
            XCTAssertThrowsError(try truncatedClient.receiveServerFinal(Array(serverFinal.prefix(length))), "length \(length)")
        }
        XCTAssertNoThrow(try client.receiveServerFinal(serverFinal))
    }

    func testClientRejectsTruncatedServerFirstUntilIterationsBegin() {
        let serverFirst = bytes("r=CLISRV,s=c2FsdHNhbHRzYWx0c2FsdA==,i=4096")
        for length in 0..<(serverFirst.count - "096".utf8.count) {
            var client = SCRAMClient(password: "pw", clientNonce: "CLI")
            XCTAssertThrowsError(try client.receiveServerFirst(Array(serverFirst.prefix(length))), "length \(length)")
        }
    }
}

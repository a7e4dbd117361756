// Small conversions and a complete-exchange driver shared by the BulkheadAuth tests.
import BulkheadAuth
import XCTest

func bytes(_ text: String) -> [UInt8] {
    Array(text.utf8)
}

func text(_ bytes: [UInt8]) -> String {
    String(decoding: bytes, as: UTF8.self)
}

/// Unwraps a server step, failing the test with the failure it carried.
func successValue(
    _ result: Result<[UInt8], AuthFailure>, file: StaticString = #filePath, line: UInt = #line
) throws -> [UInt8] {
    switch result {
    case .success(let value):
        return value
    case .failure(let failure):
        XCTFail("unexpected failure \(failure)", file: file, line: line)
        throw failure
    }
}

/// Unwraps a server step that must fail.
func failureValue(
    _ result: Result<[UInt8], AuthFailure>, file: StaticString = #filePath, line: UInt = #line
) -> AuthFailure? {
    switch result {
    case .success(let value):
        XCTFail("unexpected success \(text(value))", file: file, line: line)
        return nil
    case .failure(let failure):
        return failure
    }
}

/// Asserts the failure is `.invalidMessage` whose text contains `fragment`.
func assertInvalidMessage(
    _ failure: AuthFailure?, containing fragment: String, file: StaticString = #filePath, line: UInt = #line
) {
    guard case .invalidMessage(let message) = failure else {
        XCTFail("expected invalidMessage, got \(String(describing: failure))", file: file, line: line)
        return
    }
    XCTAssertTrue(message.contains(fragment), "\"\(message)\" lacks \"\(fragment)\"", file: file, line: line)
}

/// Runs a full client/server exchange and reports where it stopped.
enum ExchangeOutcome: Equatable {
    case authenticated
    case serverRejected(AuthFailure)
    case clientRejected(AuthFailure)
}

func runExchange(client: inout SCRAMClient, server: inout SCRAMServer) -> ExchangeOutcome {
    let serverFirst: [UInt8]
    switch server.receiveClientFirst(client.clientFirstMessage()) {
    case .success(let message): serverFirst = message
    case .failure(let failure): return .serverRejected(failure)
    }
    let clientFinal: [UInt8]
    do throws(AuthFailure) {
        clientFinal = try client.receiveServerFirst(serverFirst)
    } catch {
        return .clientRejected(error)
    }
    let serverFinal: [UInt8]
    switch server.receiveClientFinal(clientFinal) {
    case .success(let message): serverFinal = message
    case .failure(let failure): return .serverRejected(failure)
    }
    do throws(AuthFailure) {
        try client.receiveServerFinal(serverFinal)
    } catch {
        return .clientRejected(error)
    }
    return .authenticated
}

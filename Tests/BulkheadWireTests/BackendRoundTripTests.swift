// Every backend message and authentication request survives encode -> frame decode -> message decode.
import NIOCore
import XCTest

@testable import BulkheadWire

final class BackendRoundTripTests: XCTestCase {
    func testEveryBackendCaseRoundTrips() throws {
        for message in MessageSamples.backend {
            var encoded = MessageSamples.encoded(message)
            let expectedBytes = encoded
            var decoder = FrameDecoder(maxMessageLength: 1 << 20)
            let frame = try XCTUnwrap(try decoder.decode(buffer: &encoded), "\(message)")
            XCTAssertEqual(encoded.readableBytes, 0, "\(message) left bytes behind")
            XCTAssertEqual(frame.raw, expectedBytes)
            XCTAssertEqual(frame.type, message.type)
            XCTAssertEqual(try BackendMessage.decode(frame), message)
        }
    }

    func testSamplesCoverEveryBackendTypeAndAuthenticationCode() {
        let types = Set(MessageSamples.backend.map(\.type))
        XCTAssertEqual(types, Set("RSKZTDCIEN123nstGHWdcAVv".utf8))
        let codes = Set(MessageSamples.authentications.map(\.code))
        XCTAssertEqual(codes, [0, 2, 3, 5, 7, 8, 9, 10, 11, 12])
    }

    func testErrorConvenienceFillsFieldsInPostgresOrder() throws {
        let message = BackendMessage.error(
            "28P01",
            "password authentication failed for user \"alice\"",
            severity: "FATAL",
            detail: "d",
            hint: "h",
            position: 17
        )
        guard case .errorResponse(let fields) = try BackendMessage.decode(message.frame) else {
            return XCTFail("expected an ErrorResponse")
        }
        XCTAssertEqual(fields.fields.map(\.code), Array("SVCMDHP".utf8))
        XCTAssertEqual(fields.severity, "FATAL")
        XCTAssertEqual(fields.severityNonLocalized, "FATAL")
        XCTAssertEqual(fields.sqlState, "28P01")
        XCTAssertEqual(fields.message, "password authentication failed for user \"alice\"")
        XCTAssertEqual(fields.detail, "d")
        XCTAssertEqual(fields.hint, "h")
        XCTAssertEqual(fields.position, 17)
    }

    func testErrorConvenienceOmitsAbsentOptionalFields() {
        guard case .errorResponse(let fields) = BackendMessage.error("08P01", "bad") else {
            return XCTFail("expected an ErrorResponse")
        }
        XCTAssertEqual(fields.fields.map(\.code), Array("SVCM".utf8))
        XCTAssertEqual(fields.severity, "ERROR")
        XCTAssertNil(fields.detail)
        XCTAssertNil(fields.hint)
        XCTAssertNil(fields.position)
    }

    func testUnknownErrorFieldsAreKept() throws {
        let raw = WireBytes.frame("N", [WireBytes.ascii("q")], WireBytes.cstr("vendor"), [0])
        let decoded = try BackendMessage.decode(WireBytes.frameValue(raw))
        XCTAssertEqual(decoded, .noticeResponse(ErrorFields(fields: [ErrorField(code: WireBytes.ascii("q"), value: "vendor")])))
        XCTAssertEqual(WireBytes.bytes(MessageSamples.encoded(decoded)), raw)
    }

    func testMD5SaltIsAlwaysFourBytesOnTheWire() throws {
        let short = BackendMessage.authentication(.md5Password(salt: [9]))
        XCTAssertEqual(try BackendMessage.decode(short.frame), .authentication(.md5Password(salt: [9, 0, 0, 0])))
        let long = BackendMessage.authentication(.md5Password(salt: [1, 2, 3, 4, 5]))
        XCTAssertEqual(try BackendMessage.decode(long.frame), .authentication(.md5Password(salt: [1, 2, 3, 4])))
    }
}

// Every frontend message survives encode -> frame decode -> message decode unchanged.
import NIOCore
import XCTest

@testable import BulkheadWire

final class FrontendRoundTripTests: XCTestCase {
    func testEveryFrontendCaseRoundTrips() throws {
        for (message, kind) in MessageSamples.frontend {
            var encoded = MessageSamples.encoded(message)
            let expectedBytes = encoded
            var decoder = FrameDecoder(maxMessageLength: 1 << 20)
            let frame = try XCTUnwrap(try decoder.decode(buffer: &encoded), "\(message)")
            XCTAssertEqual(encoded.readableBytes, 0, "\(message) left bytes behind")
            XCTAssertEqual(frame.raw, expectedBytes)
            XCTAssertEqual(frame.type, message.type)
            XCTAssertEqual(try FrontendMessage.decode(frame, authentication: kind), message)
            XCTAssertEqual(message.frame, frame)
        }
    }

    func testSamplesCoverEveryFrontendType() {
        let types = Set(MessageSamples.frontend.map { $0.0.type })
        let expected: Set<UInt8> = Set("QPBDECSHXFdcfp".utf8)
        XCTAssertEqual(types, expected)
    }

    func testPasswordFrameMeansWhatTheAuthenticationContextSays() throws {
        // The same bytes are a valid PasswordMessage and a valid SASLResponse.
        let frame = WireBytes.frameValue(WireBytes.frame("p", WireBytes.cstr("secret")))
        XCTAssertEqual(try FrontendMessage.decode(frame, authentication: .password), .password("secret"))
        XCTAssertEqual(
            try FrontendMessage.decode(frame, authentication: .saslContinue),
            .saslResponse(ByteBuffer(bytes: WireBytes.cstr("secret")))
        )
        XCTAssertThrowsError(try FrontendMessage.decode(frame)) { XCTAssertTrue($0 is ProtocolViolation) }
    }

    func testDecodedPayloadsShareTheFrameStorage() throws {
        let message = FrontendMessage.copyData(ByteBuffer(string: "payload"))
        let frame = message.frame
        guard case .copyData(let payload) = try FrontendMessage.decode(frame) else {
            return XCTFail("expected copyData")
        }
        let framePayloadAddress = frame.raw.withUnsafeReadableBytes { $0.baseAddress.map { $0 + 5 } }
        let payloadAddress = payload.withUnsafeReadableBytes { $0.baseAddress }
        XCTAssertEqual(framePayloadAddress, payloadAddress)
    }
}

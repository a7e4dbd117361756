// Startup packets round-trip and follow PostgreSQL's acceptance rules for versions and parameters.
import NIOCore
import XCTest

@testable import BulkheadWire

final class StartupPacketTests: XCTestCase {
    func testEveryStartupPacketRoundTrips() throws {
        for packet in MessageSamples.startupPackets {
            XCTAssertEqual(try StartupPacket.decode(MessageSamples.encoded(packet)), packet)
        }
    }

    func testStandaloneEncodersMatchThePacketEnum() {
        var ssl = ByteBuffer()
        SSLRequest.encode(into: &ssl)
        XCTAssertEqual(ssl, MessageSamples.encoded(.sslRequest))
        var gss = ByteBuffer()
        GSSENCRequest.encode(into: &gss)
        XCTAssertEqual(gss, MessageSamples.encoded(.gssEncRequest))
        var cancel = ByteBuffer()
        CancelRequest(processID: 1, secretKey: 2).encode(into: &cancel)
        XCTAssertEqual(cancel, MessageSamples.encoded(.cancel(CancelRequest(processID: 1, secretKey: 2))))
        var startup = ByteBuffer()
        MessageSamples.startupMessage.encode(into: &startup)
        XCTAssertEqual(startup, MessageSamples.encoded(.startup(MessageSamples.startupMessage)))
    }

    func testParameterAccessors() {
        let message = MessageSamples.startupMessage
        XCTAssertEqual(message.user, "alice")
        XCTAssertEqual(message.database, "shop")
        XCTAssertEqual(message["application_name"], "")
        XCTAssertNil(message["options"])
        XCTAssertEqual(message.protocolOptions, [StartupParameter(name: "_pq_.compression", value: "on")])
        XCTAssertEqual(message.majorVersion, 3)
        XCTAssertEqual(message.minorVersion, 0)
    }

    func testDatabaseDefaultsToUserAndLastDuplicateWins() {
        let message = StartupMessage(parameters: [
            StartupParameter(name: "user", value: "first"),
            StartupParameter(name: "user", value: "second"),
        ])
        XCTAssertEqual(message.user, "second")
        XCTAssertEqual(message.database, "second")
        XCTAssertNil(StartupMessage(parameters: []).database)
    }

    func testNewerMinorVersionIsAcceptedForNegotiation() throws {
        let packet = WireBytes.packet(WireBytes.int32(0x0003_0002), WireBytes.cstr("user"), WireBytes.cstr("u"), [0])
        guard case .startup(let message) = try StartupPacket.decode(WireBytes.buffer(packet)) else {
            return XCTFail("expected a StartupMessage")
        }
        XCTAssertEqual(message.minorVersion, 2)
        XCTAssertEqual(message.user, "u")
    }

    func testUnsupportedMajorVersionNamesBothVersions() {
        let packet = WireBytes.packet(WireBytes.int32(0x0002_0000), WireBytes.cstr("user"), WireBytes.cstr("u"), [0])
        XCTAssertThrowsError(try StartupPacket.decode(WireBytes.buffer(packet))) { error in
            XCTAssertEqual(
                error as? ProtocolViolation,
                ProtocolViolation("unsupported frontend protocol 2.0: server supports 3.0 to 3.0")
            )
        }
        let four = WireBytes.packet(WireBytes.int32(0x0004_0001), [0])
        XCTAssertThrowsError(try StartupPacket.decode(WireBytes.buffer(four))) { error in
            XCTAssertEqual(
                (error as? ProtocolViolation)?.message,
                "unsupported frontend protocol 4.1: server supports 3.0 to 3.0"
            )
        }
    }

    func testLengthWordMustMatchThePacket() {
        var packet = WireBytes.packet(WireBytes.int32(80_877_103))
        packet.append(0)
        XCTAssertThrowsError(try StartupPacket.decode(WireBytes.buffer(packet))) { XCTAssertTrue($0 is ProtocolViolation) }
    }
}

// A hand-made corpus of malformed input: each case must throw ProtocolViolation, never crash or succeed.
import NIOCore
import XCTest

import BulkheadWire

final class MalformedCorpusTests: XCTestCase {
    private typealias W = WireBytes

    private static let int32 = W.int32
    private static let int16 = W.int16
    private static let cstr = W.cstr
    private static let text = W.text

    /// Frontend frames that must not decode, with the 'p' context where it matters.
    private static let frontendCases: [(String, [UInt8], AuthenticationResponseKind?)] = [
        ("Query without NUL", W.frame("Q", text("SELECT 1")), nil),
        ("Query with trailing bytes", W.frame("Q", cstr("SELECT 1"), text("x")), nil),
        ("Query with empty body", W.frame("Q"), nil),
        ("Parse name without NUL", W.frame("P", text("stmt")), nil),
        ("Parse without type count", W.frame("P", cstr("s"), cstr("SELECT 1")), nil),
        ("Parse with half a type count", W.frame("P", cstr("s"), cstr("SELECT 1"), [0]), nil),
        ("Parse count 3 with one OID", W.frame("P", cstr(""), cstr("q"), int16(3), int32(23)), nil),
        ("Parse count 65535 with no OIDs", W.frame("P", cstr(""), cstr("q"), [0xFF, 0xFF]), nil),
        ("Parse with trailing garbage", W.frame("P", cstr(""), cstr("q"), int16(0), [1, 2]), nil),
        ("Bind statement without NUL", W.frame("B", cstr(""), text("s")), nil),
        ("Bind parameter length -2", W.frame("B", cstr(""), cstr(""), int16(0), int16(1), int32(-2), int16(0)), nil),
        ("Bind parameter longer than body", W.frame("B", cstr(""), cstr(""), int16(0), int16(1), int32(50), [1, 2], int16(0)), nil),
        ("Bind parameter count beyond body", W.frame("B", cstr(""), cstr(""), int16(0), int16(40), int32(-1)), nil),
        ("Bind without result format count", W.frame("B", cstr(""), cstr(""), int16(0), int16(0)), nil),
        ("Bind format count beyond body", W.frame("B", cstr(""), cstr(""), int16(9), int16(1)), nil),
        ("Bind with trailing garbage", W.frame("B", cstr(""), cstr(""), int16(0), int16(0), int16(0), [0]), nil),
        ("Describe bad target", W.frame("D", text("X"), cstr("s")), nil),
        ("Describe name without NUL", W.frame("D", text("S"), text("s")), nil),
        ("Describe with empty body", W.frame("D"), nil),
        ("Close bad target", W.frame("C", [0], cstr("p")), nil),
        ("Execute without row limit", W.frame("E", cstr("")), nil),
        ("Execute with truncated row limit", W.frame("E", cstr(""), [0, 0]), nil),
        ("Execute with trailing garbage", W.frame("E", cstr(""), int32(0), [7]), nil),
        ("Sync with a body", W.frame("S", [0]), nil),
        ("Flush with a body", W.frame("H", [1]), nil),
        ("Terminate with a body", W.frame("X", [1, 2, 3]), nil),
        ("CopyDone with a body", W.frame("c", [0]), nil),
        ("CopyFail without NUL", W.frame("f", text("oops")), nil),
        ("FunctionCall with truncated OID", W.frame("F", [0, 0]), nil),
        ("FunctionCall without result format", W.frame("F", int32(1), int16(0), int16(0)), nil),
        ("FunctionCall argument length -3", W.frame("F", int32(1), int16(0), int16(1), int32(-3), int16(0)), nil),
        ("FunctionCall argument count beyond body", W.frame("F", int32(1), int16(0), int16(1000), int16(0)), nil),
        ("Unknown frontend type", W.frame("z", cstr("x")), nil),
        ("Backend-only type sent by a client", W.frame("Z", text("I")), nil),
        ("'p' without authentication context", W.frame("p", cstr("secret")), nil),
        ("PasswordMessage without NUL", W.frame("p", text("secret")), .password),
        ("PasswordMessage with trailing bytes", W.frame("p", cstr("secret"), [0]), .password),
        ("SASLInitialResponse without data length", W.frame("p", cstr("SCRAM-SHA-256")), .saslInitial),
        ("SASLInitialResponse length -2", W.frame("p", cstr("SCRAM-SHA-256"), int32(-2)), .saslInitial),
        ("SASLInitialResponse data beyond body", W.frame("p", cstr("SCRAM-SHA-256"), int32(10), text("n,,")), .saslInitial),
        ("SASLInitialResponse with trailing bytes", W.frame("p", cstr("M"), int32(1), text("ab")), .saslInitial),
        ("SASLInitialResponse mechanism without NUL", W.frame("p", text("SCRAM")), .saslInitial),
    ]

    /// Backend frames that must not decode.
    private static let backendCases: [(String, [UInt8])] = [
        ("Authentication SCM credentials (obsolete code 6)", W.frame("R", int32(6))),
        ("Authentication unknown code", W.frame("R", int32(99))),
        ("Authentication negative code", W.frame("R", int32(-1))),
        ("Authentication truncated code", W.frame("R", [0, 0])),
        ("AuthenticationOk with trailing bytes", W.frame("R", int32(0), [0])),
        ("AuthenticationCleartextPassword with trailing bytes", W.frame("R", int32(3), [1])),
        ("AuthenticationMD5Password 3-byte salt", W.frame("R", int32(5), [1, 2, 3])),
        ("AuthenticationMD5Password 5-byte salt", W.frame("R", int32(5), [1, 2, 3, 4, 5])),
        ("AuthenticationSASL without final terminator", W.frame("R", int32(10), cstr("SCRAM-SHA-256"))),
        ("AuthenticationSASL mechanism without NUL", W.frame("R", int32(10), text("SCRAM"))),
        ("AuthenticationSASL with bytes after terminator", W.frame("R", int32(10), cstr("M"), [0], [9])),
        ("ReadyForQuery bad status", W.frame("Z", text("X"))),
        ("ReadyForQuery lowercase status", W.frame("Z", text("i"))),
        ("ReadyForQuery empty", W.frame("Z")),
        ("ReadyForQuery two bytes", W.frame("Z", text("IT"))),
        ("ParameterStatus without value", W.frame("S", cstr("client_encoding"))),
        ("ParameterStatus value without NUL", W.frame("S", cstr("client_encoding"), text("UTF8"))),
        ("BackendKeyData 4 bytes", W.frame("K", int32(1))),
        ("BackendKeyData 12 bytes", W.frame("K", int32(1), int32(2), int32(3))),
        ("RowDescription count beyond body", W.frame("T", int16(5), cstr("a"))),
        ("RowDescription truncated field", W.frame("T", int16(1), cstr("a"), int32(0), int16(0))),
        ("RowDescription field name without NUL", W.frame("T", int16(1), text("abcdefghijklmnopqrstuvwxyz"))),
        ("RowDescription with trailing bytes", W.frame("T", int16(0), [0])),
        ("DataRow length -2", W.frame("D", int16(1), int32(-2))),
        ("DataRow count 65535", W.frame("D", [0xFF, 0xFF], int32(-1))),
        ("DataRow value beyond body", W.frame("D", int16(1), int32(8), text("abc"))),
        ("DataRow missing second column", W.frame("D", int16(2), int32(1), text("a"))),
        ("DataRow with trailing bytes", W.frame("D", int16(1), int32(-1), [0])),
        ("CommandComplete without NUL", W.frame("C", text("SELECT 1"))),
        ("EmptyQueryResponse with a body", W.frame("I", [0])),
        ("ErrorResponse without terminator", W.frame("E", text("S"), cstr("ERROR"))),
        ("ErrorResponse value without NUL", W.frame("E", text("M"), text("boom"))),
        ("ErrorResponse empty body", W.frame("E")),
        ("NoticeResponse with bytes after terminator", W.frame("N", text("S"), cstr("NOTICE"), [0], [0])),
        ("ParseComplete with a body", W.frame("1", [0])),
        ("BindComplete with a body", W.frame("2", [0])),
        ("CloseComplete with a body", W.frame("3", [0])),
        ("NoData with a body", W.frame("n", [0])),
        ("PortalSuspended with a body", W.frame("s", [0])),
        ("ParameterDescription count beyond body", W.frame("t", int16(3), int32(23))),
        ("ParameterDescription truncated OID", W.frame("t", int16(1), [0, 0, 0])),
        ("CopyInResponse without column count", W.frame("G", [0])),
        ("CopyOutResponse column count beyond body", W.frame("H", [0], int16(4), int16(0))),
        ("CopyBothResponse empty", W.frame("W")),
        ("CopyDone from server with a body", W.frame("c", [0])),
        ("NotificationResponse without payload", W.frame("A", int32(1), cstr("chan"))),
        ("NotificationResponse truncated process ID", W.frame("A", [0, 1])),
        ("FunctionCallResponse length -5", W.frame("V", int32(-5))),
        ("FunctionCallResponse value beyond body", W.frame("V", int32(4), text("ab"))),
        ("FunctionCallResponse with trailing bytes", W.frame("V", int32(-1), [0])),
        ("NegotiateProtocolVersion negative count", W.frame("v", int32(196_608), int32(-1))),
        ("NegotiateProtocolVersion count beyond body", W.frame("v", int32(196_608), int32(3), cstr("_pq_.a"))),
        ("NegotiateProtocolVersion option without NUL", W.frame("v", int32(196_608), int32(1), text("_pq_.a"))),
        ("Unknown backend type", W.frame("x")),
        ("Frontend-only type sent by a server", W.frame("Q", cstr("SELECT 1"))),
    ]

    /// Whole startup-phase byte streams that must be rejected by ClientDecoder.
    private static let startupCases: [(String, [UInt8])] = [
        ("startup length 7", int32(7) + [0, 3, 0]),
        ("startup length 0", int32(0)),
        ("startup length negative", int32(-8)),
        ("startup length beyond limit", int32(10_001)),
        ("protocol 2.0", W.packet(int32(0x0002_0000), cstr("user"), cstr("u"), [0])),
        ("protocol 4.0", W.packet(int32(0x0004_0000), [0])),
        ("unknown 1234.x request code", W.packet(int32(80_877_105))),
        ("startup without final terminator", W.packet(int32(0x0003_0000), cstr("user"), cstr("u"))),
        ("startup without any terminator", W.packet(int32(0x0003_0000))),
        ("startup name without value", W.packet(int32(0x0003_0000), cstr("user"), [0])),
        ("startup value without NUL", W.packet(int32(0x0003_0000), cstr("user"), text("u"))),
        ("startup bytes after terminator", W.packet(int32(0x0003_0000), cstr("user"), cstr("u"), [0], text("x"))),
        ("SSLRequest with extra bytes", W.packet(int32(80_877_103), int32(0))),
        ("GSSENCRequest with extra bytes", W.packet(int32(80_877_104), [0])),
        ("CancelRequest truncated", W.packet(int32(80_877_102), int32(1))),
        ("CancelRequest too long", W.packet(int32(80_877_102), int32(1), int32(2), int32(3))),
        ("bytes after CancelRequest", W.packet(int32(80_877_102), int32(1), int32(2)) + [0x51]),
        ("SSLRequest then bad packet", W.packet(int32(80_877_103)) + int32(3)),
    ]

    func testCorpusIsLargeEnough() {
        XCTAssertGreaterThanOrEqual(Self.frontendCases.count + Self.backendCases.count + Self.startupCases.count, 40)
    }

    func testMalformedFrontendFramesThrowProtocolViolation() {
        for (name, bytes, kind) in Self.frontendCases {
            let frame = Self.decodeSingleFrame(bytes, name)
            do {
                let message = try FrontendMessage.decode(frame, authentication: kind)
                XCTFail("\(name): decoded as \(message)")
            } catch {
                // The typed throw already guarantees ProtocolViolation; check it says something.
                XCTAssertFalse(error.message.isEmpty, name)
            }
        }
    }

    func testMalformedBackendFramesThrowProtocolViolation() {
        for (name, bytes) in Self.backendCases {
            let frame = Self.decodeSingleFrame(bytes, name)
            do {
                let message = try BackendMessage.decode(frame)
                XCTFail("\(name): decoded as \(message)")
            } catch {
                XCTAssertFalse(error.message.isEmpty, name)
            }
        }
    }

    func testMalformedStartupStreamsThrowProtocolViolation() {
        for (name, bytes) in Self.startupCases {
            var decoder = ClientDecoder(maxMessageLength: 1 << 16)
            var buffer = W.buffer(bytes)
            do {
                while try decoder.decode(buffer: &buffer) != nil {}
                XCTFail("\(name): accepted")
            } catch {
                XCTAssertTrue(error is ProtocolViolation, "\(name): threw \(error)")
            }
        }
    }

    /// The corpus frames all have honest length fields, so they must pass the frame layer intact.
    private static func decodeSingleFrame(_ bytes: [UInt8], _ name: String) -> Frame {
        var decoder = FrameDecoder(maxMessageLength: 1 << 16)
        var buffer = W.buffer(bytes)
        guard let frame = try? decoder.decode(buffer: &buffer), buffer.readableBytes == 0 else {
            XCTFail("\(name): not a single well-framed message")
            return W.frameValue(bytes)
        }
        return frame
    }
}

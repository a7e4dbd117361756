// Seeded mutation fuzzing: decoding arbitrary mutations of valid input never crashes and only ever
// returns a value or throws ProtocolViolation; whatever decodes re-encodes to the same value.
import NIOCore
import XCTest

import BulkheadWire

final class MutationFuzzTests: XCTestCase {
    private static let iterations = 20_000
    private static let contexts: [AuthenticationResponseKind?] = [nil, .password, .saslInitial, .saslContinue]

    private static var seedFrames: [[UInt8]] {
        MessageSamples.frontend.map { WireBytes.bytes(MessageSamples.encoded($0.0)) }
            + MessageSamples.backend.map { WireBytes.bytes(MessageSamples.encoded($0)) }
    }

    func testMutatedBodiesOnlyDecodeOrThrowViolations() throws {
        var mutator = ByteMutator(seed: 0x5EED_0001)
        let seeds = Self.seedFrames
        var decodedCount = 0
        for _ in 0..<Self.iterations {
            let original = seeds[mutator.int(below: seeds.count)]
            let donor = seeds[mutator.int(below: seeds.count)]
            var mutated = mutator.mutate(Array(original.dropFirst(Frame.headerLength)), donor: donor)
            // Mostly keep a real type byte so the body parsers, not the type switch, get exercised.
            let type = mutator.int(below: 8) == 0 ? UInt8(truncatingIfNeeded: mutator.int(below: 256)) : original[0]
            mutated = [type] + WireBytes.int32(Int32(mutated.count + 4)) + mutated
            let frame = WireBytes.frameValue(mutated)
            decodedCount += try Self.checkBackend(frame)
            for context in Self.contexts {
                decodedCount += try Self.checkFrontend(frame, context)
            }
        }
        // Without some successes the stability half of the property would be vacuous.
        XCTAssertGreaterThan(decodedCount, 0)
    }

    func testMutatedStreamsOnlyFrameOrThrowViolations() {
        var mutator = ByteMutator(seed: 0x5EED_0002)
        let seeds = Self.seedFrames
        for _ in 0..<Self.iterations {
            let stream = seeds[mutator.int(below: seeds.count)] + seeds[mutator.int(below: seeds.count)]
            let mutated = mutator.mutate(stream, donor: seeds[mutator.int(below: seeds.count)])
            var decoder = FrameDecoder(maxMessageLength: 256)
            var buffer = WireBytes.buffer(mutated)
            do {
                while let frame = try decoder.decode(buffer: &buffer) {
                    XCTAssertGreaterThanOrEqual(frame.raw.readableBytes, Frame.headerLength)
                    XCTAssertLessThanOrEqual(frame.raw.readableBytes, 256)
                }
            } catch {
                XCTAssertTrue(error is ProtocolViolation, "threw \(error)")
            }
        }
    }

    func testMutatedStartupPacketsOnlyDecodeOrThrowViolations() throws {
        var mutator = ByteMutator(seed: 0x5EED_0003)
        let seeds = MessageSamples.startupPackets.map { WireBytes.bytes(MessageSamples.encoded($0)) }
        let query = WireBytes.bytes(MessageSamples.encoded(.query("SELECT 1")))
        var accepted = 0
        for _ in 0..<Self.iterations {
            let stream = seeds[mutator.int(below: seeds.count)] + query
            let mutated = mutator.mutate(stream, donor: seeds[mutator.int(below: seeds.count)])
            var decoder = ClientDecoder(maxMessageLength: 1024, maxStartupLength: 256)
            var buffer = WireBytes.buffer(mutated)
            do {
                while let packet = try decoder.decode(buffer: &buffer) {
                    if case .startup(let startup) = packet {
                        accepted += 1
                        var reencoded = ByteBuffer()
                        startup.encode(into: &reencoded)
                        XCTAssertEqual(try StartupPacket.decode(reencoded), startup)
                    }
                }
            } catch {
                XCTAssertTrue(error is ProtocolViolation, "threw \(error)")
            }
        }
        XCTAssertGreaterThan(accepted, 0)
    }

    /// Returns 1 when the frame decoded, after checking the value survives a re-encode.
    private static func checkBackend(_ frame: Frame) throws -> Int {
        let message: BackendMessage
        do {
            message = try BackendMessage.decode(frame)
        } catch {
            XCTAssertFalse(error.message.isEmpty)
            return 0
        }
        XCTAssertEqual(try BackendMessage.decode(message.frame), message)
        return 1
    }

    private static func checkFrontend(_ frame: Frame, _ context: AuthenticationResponseKind?) throws -> Int {
        let message: FrontendMessage
        do {
            message = try FrontendMessage.decode(frame, authentication: context)
        } catch {
            XCTAssertFalse(error.message.isEmpty)
            return 0
        }
        XCTAssertEqual(try FrontendMessage.decode(message.frame, authentication: context), message)
        return 1
    }
}

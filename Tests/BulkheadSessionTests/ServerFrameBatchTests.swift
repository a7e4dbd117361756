// A read of many server frames: what the client may see leaves as one slice, and what it must not see is cut out.

@testable import BulkheadSession
import BulkheadWire
import NIOCore
import XCTest

final class ServerFrameBatchTests: XCTestCase {
    private func bytes(_ messages: [BackendMessage]) -> ByteBuffer {
        var buffer = ByteBuffer()
        for message in messages { buffer.writeImmutableBuffer(message.encoded) }
        return buffer
    }

    private let result: [BackendMessage] = [
        .rowDescription([FieldDescription(name: "n", tableOID: 0, columnAttribute: 0, dataTypeOID: 23, dataTypeSize: 4,
                                          typeModifier: -1, format: 0)]),
        .dataRow([ByteBuffer(string: "1")]), .dataRow([ByteBuffer(string: "2")]), .commandComplete("SELECT 2"),
    ]

    func testAWholeResultLeavesAsOneSliceAndTheConnectionIsReleased() {
        var session = loggedIn(mode: .transaction)
        _ = session.clientFrame(FrontendMessage.query("SELECT n FROM t").frame)
        _ = session.serverLeased(link(id: 3))
        let action = session.serverFrames(bytes(result + [.readyForQuery(.idle)]))
        XCTAssertEqual(backend(action.toClient), result + [.readyForQuery(.idle)])
        // The whole answer, ReadyForQuery included, is one buffer, not one per frame; ReadyForQuery ends the transaction.
        XCTAssertEqual(action.toClient.count, 1, "\(action.toClient.map(\.readableBytes))")
        XCTAssertEqual(action.toClient.first?.readableBytes, bytes(result + [.readyForQuery(.idle)]).readableBytes)
        XCTAssertEqual(action.release?.disposition, .reuse)
        XCTAssertNil(session.link)
    }

    func testTheProxysOwnAnswersAreCutOutOfTheRead() {
        var session = loggedIn(mode: .transaction)
        var used = link(id: 5)
        used.parameters["application_name"] = "someone-else"
        _ = session.clientFrame(FrontendMessage.query("SELECT n FROM t").frame)
        let attached = session.serverLeased(used)
        XCTAssertEqual(frontend(attached.toServer).count, 2, "a parameter sync goes first")
        // The sync's answers and the client's arrive in one read.
        let read = bytes([.rowDescription([]), .dataRow([]), .commandComplete("SELECT 1"), .readyForQuery(.idle)]
                         + result + [.readyForQuery(.idle)])
        let action = session.serverFrames(read)
        XCTAssertEqual(backend(action.toClient), result + [.readyForQuery(.idle)])
        XCTAssertEqual(action.release?.disposition, .reuse)
    }

    func testSplitReadsGiveTheSameMessagesAsOneRead() {
        var whole = loggedIn(mode: .transaction)
        var split = loggedIn(mode: .transaction)
        _ = whole.clientFrame(FrontendMessage.query("SELECT n FROM t").frame)
        _ = split.clientFrame(FrontendMessage.query("SELECT n FROM t").frame)
        _ = whole.serverLeased(link(id: 3))
        _ = split.serverLeased(link(id: 3))
        let all = result + [.readyForQuery(.idle)]
        let oneRead = whole.serverFrames(bytes(all))
        var pieces: [ByteBuffer] = []
        var released = false
        for message in all {
            let action = split.serverFrames(bytes([message]))
            pieces += action.toClient
            released = released || action.release != nil
        }
        XCTAssertEqual(backend(pieces), backend(oneRead.toClient))
        XCTAssertTrue(released)
    }

    func testFramesAfterTheReleaseAreNotTheClients() {
        var session = loggedIn(mode: .transaction)
        _ = session.clientFrame(FrontendMessage.query("SELECT n FROM t").frame)
        _ = session.serverLeased(link(id: 3))
        // Whatever follows the ReadyForQuery that released the connection belongs to its next holder.
        let action = session.serverFrames(bytes(result + [.readyForQuery(.idle), .commandComplete("SELECT 9")]))
        XCTAssertEqual(backend(action.toClient), result + [.readyForQuery(.idle)])
        XCTAssertNotNil(action.release)
    }
}

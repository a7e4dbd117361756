// Checks that frames joined for one write keep their bytes and order.

import BulkheadWire
import NIOCore
import XCTest

/// Joining encoded frames keeps their bytes and order.
final class JoinedBuffersTests: XCTestCase {
    func testJoinedKeepsEveryBufferInOrder() {
        var sliced = ByteBuffer(bytes: [9, 1, 2])
        sliced.moveReaderIndex(forwardBy: 1)
        let joined = [ByteBuffer(bytes: [7]), ByteBuffer(), sliced, ByteBuffer(bytes: [3])].joined()
        XCTAssertEqual(Array(joined.readableBytesView), [7, 1, 2, 3], "only readable bytes, in order")
        XCTAssertEqual([ByteBuffer]().joined().readableBytes, 0)
    }
}

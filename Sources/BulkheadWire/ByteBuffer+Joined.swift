// Joins encoded frames into one buffer, for writes that should leave as one.

import NIOCore

extension Array where Element == ByteBuffer {
    /// The readable bytes of every buffer, in order, in one buffer sized once.
    public func joined() -> ByteBuffer {
        var joined = ByteBuffer()
        joined.reserveCapacity(reduce(0) { $0 + $1.readableBytes })
        for var buffer in self { joined.writeBuffer(&buffer) }
        return joined
    }
}

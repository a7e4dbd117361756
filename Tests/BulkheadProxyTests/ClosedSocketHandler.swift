// Makes an EmbeddedChannel refuse writes once it is closed, as a socket does, so writes lost to an early close show up.

import NIOCore

/// Fails every write made after the channel went inactive.
///
/// EmbeddedChannel keeps accepting writes after `close()`, which would hide a handler that closes a
/// connection before writing its last message; a real socket drops such writes.
final class ClosedSocketHandler: ChannelOutboundHandler {
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard context.channel.isActive else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        context.write(data, promise: promise)
    }
}

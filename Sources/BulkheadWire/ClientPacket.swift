// What the client side of a connection yields: untyped startup packets first, typed frames after.

/// One unit of client input.
public enum ClientPacket: Sendable, Hashable {
    /// An untyped packet from before the session started.
    case startup(StartupPacket)
    /// A typed message, after a StartupMessage.
    case message(Frame)
}

// Runs work on an event loop straight away when already on it, and as a task otherwise.

import NIOCore

extension EventLoop {
    /// Runs `work` now when called on this loop, else queues it there: a task hop costs more than most of the
    /// work it would carry, and a client's server connection usually shares its loop.
    func runHereOrQueue(_ work: @escaping @Sendable () -> Void) {
        if inEventLoop { work() } else { execute(work) }
    }
}

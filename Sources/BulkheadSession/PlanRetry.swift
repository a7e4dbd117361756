// Remembers a client's extended-protocol exchange so that one invalidated cached plan can be re-prepared and retried.

import BulkheadWire
import NIOCore

/// The client's current extended-protocol exchange (from its first message to its Sync), kept while it may still
/// be retried.
///
/// After DDL changes a table's row type, PostgreSQL refuses to run a statement prepared before it with 0A000
/// "cached plan must not change result type". Under transaction pooling the client never prepared the server's
/// statement itself, so the proxy re-prepares it and runs the exchange again, once, but only when that is
/// invisible: the exchange began outside a transaction, nothing of its answer has reached the client, and the
/// client has not pipelined anything behind its Sync.
struct PlanRetry: Sendable {
    /// The exchange's frames with their effects, as the client sent them.
    private var frames: [(Frame, StatementEffects)] = []
    private var recording = false
    private var syncSent = false
    private var forwarded = false
    private var bytes = 0
    /// The exchange is a replay: it gets no second retry.
    private var replayed = false
    /// The error that started a retry, held back until the server's ReadyForQuery shows the retry can go ahead.
    private(set) var heldError: ByteBuffer?
    /// The client sent more while the error was held: replaying would put the retry behind that work.
    private(set) var pipelinedBehindError = false

    /// An exchange larger than this is not kept (a retry is an optimisation, not a promise).
    static let maxBytes = 1 << 20

    /// Notes a client frame about to be written. `quiet` and `idle` describe the connection before it.
    mutating func clientSent(_ frame: Frame, effects: StatementEffects, quiet: Bool, idle: Bool) {
        guard !replayed else { return }
        // Behind a held error: the error must still reach the client, so the retry is off, but the hold stays.
        guard heldError == nil else { pipelinedBehindError = true; return }
        switch frame.type {
        case MessageType.Frontend.parse, MessageType.Frontend.bind, MessageType.Frontend.describe,
             MessageType.Frontend.execute, MessageType.Frontend.close, MessageType.Frontend.flush, MessageType.Frontend.sync:
            if !recording {
                guard quiet, idle else { return }
                self = PlanRetry()
                recording = true
            } else if syncSent {
                // Pipelined behind the Sync: a replay would reorder the client's work.
                self = PlanRetry()
                return
            }
            bytes += frame.raw.readableBytes
            guard bytes <= Self.maxBytes else { self = PlanRetry(); return }
            frames.append((frame, effects))
            if frame.type == MessageType.Frontend.sync { syncSent = true }
        default:
            self = PlanRetry()
        }
    }

    /// Something of the exchange's answer went to the client: a retry would show.
    mutating func forwardedToClient() {
        if recording { forwarded = true }
    }

    /// Whether the server's error is an invalidated plan that this exchange may retry; if so the error is held.
    mutating func holdIfRetryable(_ frame: Frame) -> Bool {
        guard recording, syncSent, !forwarded, heldError == nil,
              case .errorResponse(let fields)? = try? BackendMessage.decode(frame),
              fields.sqlState == "0A000", fields.message?.hasPrefix("cached plan must not change result type") == true
        else { return false }
        heldError = frame.raw
        return true
    }

    /// True between a held error and the ReadyForQuery that ends the failed exchange.
    var isDraining: Bool { heldError != nil }

    /// The exchange ended (its ReadyForQuery): nothing is kept.
    mutating func finished() {
        self = PlanRetry()
    }

    /// Starts the replay: returns the frames to send again; the replay itself is not retried.
    mutating func takeReplay() -> [(Frame, StatementEffects)] {
        let replay = frames
        self = PlanRetry()
        replayed = true
        return replay
    }
}

// Re-prepares statements whose cached plan DDL invalidated and runs the client's exchange again, once.

import BulkheadWire
import NIOCore

extension ClientSession {
    /// Handles the server's frames from a held 0A000 "cached plan must not change result type" up to the
    /// ReadyForQuery that ends the failed exchange (the server skips everything up to the Sync).
    mutating func retryingInvalidatedPlan(_ disposition: ServerFrameDisposition, frame: Frame, link: ServerLink) -> SessionAction {
        var link = link
        guard case .forwardReady(let status) = disposition else {
            // The held error itself, or whatever the server says before its ReadyForQuery: nothing of it is owed
            // to the client if the retry goes ahead, and the held error stands for it otherwise.
            self.link = link
            return SessionAction()
        }
        guard status == .idle, planRetry.heldError != nil, !planRetry.pipelinedBehindError else {
            // The exchange left a transaction open after all, or the client has moved on: the error stands, as the
            // server raised it.
            var action = SessionAction()
            if let held = planRetry.heldError { action.toClient.append(held) }
            planRetry.finished()
            self.link = link
            serverFrame(disposition: disposition, frame: frame, into: &action)
            return action
        }
        var action = SessionAction()
        let replay = planRetry.takeReplay()
        // Every server statement the exchange uses is closed and prepared again, hidden, before the replay.
        var stale: [String] = []
        for (client, _) in replay {
            guard let message = try? FrontendMessage.decode(client) else { continue }
            let name: String
            switch message {
            case .bind(let bind): name = bind.statement
            case .describe(let describe):
                guard case .statement(let statement) = describe.target else { continue }
                name = statement
            default: continue
            }
            guard !name.isEmpty, let server = statements[name]?.parse.name, !stale.contains(server) else { continue }
            stale.append(server)
        }
        for server in stale {
            link.forgetPrepared(server)
            link.expect(.close, owner: .hiddenStatement)
            action.toServer.append(FrontendMessage.close(Close(target: .statement(server))).encodedFrame)
        }
        for (client, effects) in replay { send(client, effects: effects, on: &link, into: &action) }
        if link.hasSynthesized { action.toClient += link.takeSynthesized() }
        self.link = link
        return action
    }
}

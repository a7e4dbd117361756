// Mints the cancel keys clients see and finds the session a CancelRequest names.

import BulkheadSession
import NIOConcurrencyHelpers

/// Maps proxy-minted backend keys to live client sessions.
///
/// Clients never see a server's key, so a cancel can only reach the server connection that the named
/// client holds at that moment, and a guessed or stale key reaches nothing.
final class CancelRegistry: Sendable {
    private struct Entry: Sendable {
        var secret: Int32
        weak var handler: ClientHandler?
    }

    private let entries = NIOLockedValueBox<[Int32: Entry]>([:])

    /// A fresh key for a new client, registered until `remove` is called.
    func mint(for handler: ClientHandler) -> BackendKey {
        var generator = SystemRandomNumberGenerator()
        return entries.withLockedValue { entries in
            var pid: Int32
            repeat { pid = Int32.random(in: 1...Int32.max, using: &generator) } while entries[pid] != nil
            let secret = Int32.random(in: Int32.min...Int32.max, using: &generator)
            entries[pid] = Entry(secret: secret, handler: handler)
            return BackendKey(processID: pid, secretKey: secret)
        }
    }

    func remove(_ key: BackendKey) {
        entries.withLockedValue { entries in
            if entries[key.processID]?.secret == key.secretKey { entries[key.processID] = nil }
        }
    }

    /// The session holding `key`, if the secret matches.
    func lookup(_ key: BackendKey) -> ClientHandler? {
        entries.withLockedValue { entries in
            guard let entry = entries[key.processID] else { return nil }
            // Compare without an early exit so timing does not reveal how much of the secret matched.
            let difference = entry.secret ^ key.secretKey
            return difference == 0 ? entry.handler : nil
        }
    }

    var count: Int { entries.withLockedValue { $0.count } }
}

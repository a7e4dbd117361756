// Clients that run one statement after another through the proxy on threads of their own, and what they saw.

import Foundation

/// `clients` threads, each running its statement in a loop until stopped, reconnecting after any error.
///
/// Every answer and every failure is logged with its time and duration, so a test can tell what happened
/// before, during and after a node went away, and whether anything hung.
final class ClientLoad: @unchecked Sendable {
    private let log = ReadLog()
    private let stopping = ManagedFlag()
    private let group = DispatchGroup()

    init(clients: Int, connect: @escaping @Sendable () throws -> PQConnection, statement: @escaping @Sendable (Int) -> String) {
        for client in 0..<clients {
            group.enter()
            Thread.detachNewThread { [log, stopping, group] in
                defer { group.leave() }
                var connection: PQConnection?
                while !stopping.isSet {
                    let started = Date()
                    do {
                        if connection == nil { connection = try connect() }
                        let port = try connection?.exec(statement(client)).first ?? ""
                        log.add(.read(port: Int(port) ?? 0, at: Date(), took: Date().timeIntervalSince(started)))
                    } catch {
                        log.add(.failed("\(error)", at: Date(), took: Date().timeIntervalSince(started)))
                        connection = nil
                        Thread.sleep(forTimeInterval: 0.01)
                    }
                }
            }
        }
    }

    var entries: [ReadLog.Entry] { log.entries }

    /// Stops every client; false when one is still waiting for an answer after 30 s (stopping the proxy frees it).
    func stop() -> Bool {
        stopping.set()
        return group.wait(timeout: .now() + 30) == .success
    }
}

/// What each client saw, shared between threads.
final class ReadLog: @unchecked Sendable {
    enum Entry {
        case read(port: Int, at: Date, took: TimeInterval)
        case failed(String, at: Date, took: TimeInterval)

        var port: Int? { if case .read(let port, _, _) = self { return port } else { return nil } }
        var failed: Bool { if case .failed = self { return true } else { return false } }
        var detail: String { if case .failed(let text, _, _) = self { return text } else { return "read" } }
        var at: Date {
            switch self {
            case .read(_, let at, _), .failed(_, let at, _): return at
            }
        }
        var took: TimeInterval {
            switch self {
            case .read(_, _, let took), .failed(_, _, let took): return took
            }
        }
    }

    private let lock = NSLock()
    private var stored: [Entry] = []

    func add(_ entry: Entry) { lock.withLock { stored.append(entry) } }
    var entries: [Entry] { lock.withLock { stored } }
}

/// Command outputs by index, filled from several threads.
final class Outputs: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Int: String] = [:]

    func set(_ index: Int, _ output: String) { lock.withLock { stored[index] = output } }
    subscript(index: Int) -> String { lock.withLock { stored[index] ?? "" } }
}

/// A flag set once, read from many threads.
final class ManagedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}

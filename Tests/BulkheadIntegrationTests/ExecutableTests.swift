// The `bulkhead` executable itself: it serves from a TOML file and stops cleanly on SIGTERM.

import Foundation
import XCTest

final class ExecutableTests: XCTestCase {
    /// The binary that `swift build` put beside this test bundle.
    private var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("bulkhead").path
    }

    func testSIGTERMAfterServingEndsTheProcessCleanly() throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: binary), "no executable at \(binary)")
        let port = try freePort()
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("bulkhead-exe-\(port).toml")
        // The fixture's configuration, on a port known in advance (the fixture's own asks for any).
        let toml = ProxyFixture.toml(ProxyOptions(poolMode: "transaction"))
            .replacingOccurrences(of: "listen = \"127.0.0.1:0\"", with: "listen = \"127.0.0.1:\(port)\"")
        XCTAssertTrue(toml.contains("127.0.0.1:\(port)"))
        try toml.write(to: config, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: config) }

        let process = Process()
        // The child clears the signal mask it inherits from the test's threads, so SIGTERM reaches it.
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", unblockAndExec, binary, "run", "--config", config.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }

        let conninfo = "host=127.0.0.1 port=\(port) dbname=docs user=app password=app-secret connect_timeout=5"
        var served: String?
        for _ in 0..<100 where served == nil {
            served = try? PQConnection(conninfo).exec("SELECT 'served'").first
            if served == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        XCTAssertEqual(served, "served")

        process.terminate()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        XCTAssertFalse(process.isRunning, "still running 10 s after SIGTERM")
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        let log = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(process.terminationStatus, 0, log)
        XCTAssertFalse(log.contains("Cannot schedule tasks"), "work was scheduled on stopped event loops:\n\(log)")
    }

    /// A port nothing listens on right now.
    private func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                Glibc.bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { throw PQError(sqlState: nil, message: "could not find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

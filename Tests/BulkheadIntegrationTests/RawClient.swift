// A bare TCP client for sending bytes no real driver would send.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking loopback socket for protocol-violation tests.
final class RawClient {
    private let socket: LoopbackSocket

    init(port: Int) throws {
        socket = try LoopbackSocket(port: port, receiveTimeout: 5)
    }

    func send(_ bytes: [UInt8]) throws {
        try socket.send(bytes)
    }

    /// Reads until the peer closes (or the timeout passes) and returns everything received.
    func readToEnd() -> [UInt8] {
        var out: [UInt8] = []
        while true {
            let chunk = socket.receive()
            if chunk.isEmpty { break }
            out += chunk
        }
        return out
    }

    /// A StartupMessage for protocol 3.0.
    static func startup(user: String, database: String) -> [UInt8] {
        var body: [UInt8] = [0, 3, 0, 0]
        for part in ["user", user, "database", database] { body += Array(part.utf8) + [0] }
        body.append(0)
        return withUnsafeBytes(of: UInt32(body.count + 4).bigEndian, Array.init) + body
    }

    /// The SQLSTATE fields of every ErrorResponse in `bytes`.
    static func errorCodes(in bytes: [UInt8]) -> [String] {
        var codes: [String] = []
        var index = 0
        while index + 5 <= bytes.count {
            let type = bytes[index]
            let length = Int(bytes[index + 1]) << 24 | Int(bytes[index + 2]) << 16 | Int(bytes[index + 3]) << 8 | Int(bytes[index + 4])
            let end = index + 1 + length
            guard length >= 4, end <= bytes.count else { break }
            if type == UInt8(ascii: "E") {
                var field = index + 5
                while field < end, bytes[field] != 0 {
                    let code = bytes[field]
                    var stop = field + 1
                    while stop < end, bytes[stop] != 0 { stop += 1 }
                    if code == UInt8(ascii: "C") { codes.append(String(decoding: bytes[(field + 1)..<stop], as: UTF8.self)) }
                    field = stop + 1
                }
            }
            index = end
        }
        return codes
    }
}

// A bare TCP client for sending bytes no real driver would send.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking loopback socket for protocol-violation tests.
final class RawClient {
    private let fd: Int32

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { close(fd); throw PQError(sqlState: nil, message: "connect failed") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw PQError(sqlState: nil, message: "send failed") }
    }

    /// Reads until the peer closes (or the timeout passes) and returns everything received.
    func readToEnd() -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 65536, 0) }
            if count <= 0 { break }
            out += buffer[0..<count]
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

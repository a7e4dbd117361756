// A blocking TCP socket to 127.0.0.1, shared by the test clients that write protocol bytes by hand.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A connected loopback socket with a receive timeout, closed when released.
final class LoopbackSocket {
    private let fd: Int32

    init(port: Int, receiveTimeout seconds: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { close(fd); throw PQError(sqlState: nil, message: "connect failed") }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw PQError(sqlState: nil, message: "send failed") }
    }

    /// One read of up to 64 KiB; empty when the peer closed or the timeout passed.
    func receive() -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 65536, 0) }
        return count > 0 ? Array(buffer[0..<count]) : []
    }
}

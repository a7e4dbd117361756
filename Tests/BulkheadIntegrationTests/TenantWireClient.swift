// A raw protocol-3 client with a SCRAM-SHA-256 login, for messages libpq will not send (arbitrary startup
// parameters, Bind of a statement never parsed, FunctionCall frames).

import BulkheadAuth
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One backend message.
struct WireMessage {
    let type: UInt8
    let body: [UInt8]

    var kind: Character { Character(UnicodeScalar(type)) }

    /// The fields of an ErrorResponse or NoticeResponse, by field code.
    var fields: [Character: String] {
        guard type == UInt8(ascii: "E") || type == UInt8(ascii: "N") else { return [:] }
        var out: [Character: String] = [:]
        var index = 0
        while index < body.count, body[index] != 0 {
            let code = Character(UnicodeScalar(body[index]))
            var end = index + 1
            while end < body.count, body[end] != 0 { end += 1 }
            out[code] = String(decoding: body[(index + 1)..<end], as: UTF8.self)
            index = end + 1
        }
        return out
    }

    var sqlState: String? { type == UInt8(ascii: "E") ? fields["C"] : nil }

    /// Every readable text in the message (cells of a DataRow, error and notice fields), for leak checks.
    var texts: [String] {
        switch kind {
        case "E", "N": return Array(fields.values)
        case "D":
            var out: [String] = []
            var index = 2
            while index + 4 <= body.count {
                let length = Int(Int32(bigEndian: body[index..<(index + 4)].withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }))
                index += 4
                guard length >= 0, index + length <= body.count else { break }
                out.append(String(decoding: body[index..<(index + length)], as: UTF8.self))
                index += length
            }
            return out
        default:
            return [String(decoding: body, as: UTF8.self)]
        }
    }
}

/// A blocking loopback connection speaking the frontend protocol byte by byte.
final class TenantWireClient {
    private let socket: LoopbackSocket
    private var buffer: [UInt8] = []

    init(port: Int) throws {
        socket = try LoopbackSocket(port: port, receiveTimeout: 10)
    }

    func send(_ bytes: [UInt8]) throws {
        try socket.send(bytes)
    }

    /// The next message, or nil when the peer closed the connection (or nothing came within the timeout).
    func read() -> WireMessage? {
        while true {
            if buffer.count >= 5 {
                let length = Int(buffer[1]) << 24 | Int(buffer[2]) << 16 | Int(buffer[3]) << 8 | Int(buffer[4])
                if length >= 4, buffer.count >= 1 + length {
                    let message = WireMessage(type: buffer[0], body: Array(buffer[5..<(1 + length)]))
                    buffer.removeFirst(1 + length)
                    return message
                }
            }
            let chunk = socket.receive()
            guard !chunk.isEmpty else { return nil }
            buffer += chunk
        }
    }

    /// Messages up to and including ReadyForQuery, or up to the connection's end.
    func readUntilReady() -> [WireMessage] {
        var out: [WireMessage] = []
        while let message = read() {
            out.append(message)
            if message.kind == "Z" { break }
        }
        return out
    }

    // MARK: Login

    /// Sends a StartupMessage with `parameters` (user and database first) and answers a SCRAM-SHA-256 or
    /// cleartext challenge; returns everything after authentication up to ReadyForQuery or the connection's end.
    func login(user: String, password: String, database: String, parameters: [(String, String)] = []) throws -> [WireMessage] {
        try send(Self.startup([("user", user), ("database", database)] + parameters))
        var scram = SCRAMClient(password: password)
        var negotiation: [WireMessage] = []
        while let message = read() {
            // NegotiateProtocolVersion (unknown `_pq_.` options) comes before authentication; login goes on.
            if message.kind == "v" { negotiation.append(message); continue }
            guard message.kind == "R" else { return negotiation + [message] + readUntilReady() }
            guard message.body.count >= 4 else { throw PQError(sqlState: nil, message: "short authentication request") }
            let code = Int32(bigEndian: message.body[0..<4].withUnsafeBytes { $0.loadUnaligned(as: Int32.self) })
            let data = Array(message.body[4...])
            switch code {
            case 0:
                return negotiation + readUntilReady()
            case 3:
                try send(Self.frame("p", Array(password.utf8) + [0]))
            case 10:
                let first = scram.clientFirstMessage()
                try send(Self.frame("p", Array("SCRAM-SHA-256".utf8) + [0] + Self.int32(first.count) + first))
            case 11:
                try send(Self.frame("p", try scram.receiveServerFirst(data)))
            case 12:
                try scram.receiveServerFinal(data)
            default:
                throw PQError(sqlState: nil, message: "unsupported authentication request \(code)")
            }
        }
        return []
    }

    // MARK: Frames

    static func int32(_ value: Int) -> [UInt8] { withUnsafeBytes(of: Int32(value).bigEndian, Array.init) }
    static func int16(_ value: Int) -> [UInt8] { withUnsafeBytes(of: Int16(value).bigEndian, Array.init) }
    static func cString(_ text: String) -> [UInt8] { Array(text.utf8) + [0] }

    static func frame(_ type: Character, _ body: [UInt8]) -> [UInt8] {
        [UInt8(ascii: type.unicodeScalars.first ?? "?")] + int32(body.count + 4) + body
    }

    static func startup(_ parameters: [(String, String)]) -> [UInt8] {
        var body: [UInt8] = [0, 3, 0, 0]
        for (name, value) in parameters { body += cString(name) + cString(value) }
        body.append(0)
        return int32(body.count + 4) + body
    }

    static func query(_ sql: String) -> [UInt8] { frame("Q", cString(sql)) }
    static func parse(_ name: String, _ sql: String) -> [UInt8] { frame("P", cString(name) + cString(sql) + int16(0)) }
    static func bind(portal: String, statement: String, textParameters: [String] = []) -> [UInt8] {
        var body = cString(portal) + cString(statement) + int16(0) + int16(textParameters.count)
        for value in textParameters { body += int32(value.utf8.count) + Array(value.utf8) }
        return frame("B", body + int16(0))
    }
    static func describe(statement name: String) -> [UInt8] { frame("D", [UInt8(ascii: "S")] + cString(name)) }
    static func describe(portal name: String) -> [UInt8] { frame("D", [UInt8(ascii: "P")] + cString(name)) }
    static func execute(portal: String) -> [UInt8] { frame("E", cString(portal) + int32(0)) }
    static let sync = frame("S", [])

    /// A FunctionCall with text arguments and a text result.
    static func functionCall(oid: UInt32, textArguments: [String]) -> [UInt8] {
        var body = withUnsafeBytes(of: oid.bigEndian, Array.init) + int16(1) + int16(0) + int16(textArguments.count)
        for value in textArguments { body += int32(value.utf8.count) + Array(value.utf8) }
        return frame("F", body + int16(0))
    }
}

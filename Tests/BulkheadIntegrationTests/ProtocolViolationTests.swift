// Malformed input from one client ends that client with 08P01 and disturbs nobody else.

import Foundation
import XCTest

final class ProtocolViolationTests: XCTestCase {
    nonisolated(unsafe) var proxy: ProxyFixture!

    override func setUpWithError() throws { proxy = try ProxyFixture.start() }
    override func tearDown() { proxy?.stop() }

    private func afterLogin(_ garbage: [UInt8]) throws -> [String] {
        let client = try RawClient(port: proxy.port)
        try client.send(RawClient.startup(user: "trustuser", database: "docs"))
        try client.send(garbage)
        return RawClient.errorCodes(in: client.readToEnd())
    }

    func testMalformedFramesGet08P01AndOthersCarryOn() throws {
        let bystander = try proxy.connect()
        let cases: [[UInt8]] = [
            [UInt8(ascii: "Q"), 0, 0, 0, 2],                       // length below 4
            [UInt8(ascii: "Q"), 0x7F, 0xFF, 0xFF, 0xFF],            // beyond max_message_length
            [UInt8(ascii: "!"), 0, 0, 0, 4],                        // unknown message type
            [UInt8(ascii: "p"), 0, 0, 0, 5, 0],                     // password message after login
        ]
        for garbage in cases {
            XCTAssertEqual(try afterLogin(garbage), ["08P01"], "\(garbage)")
            XCTAssertEqual(try bystander.exec("SELECT 'ok'").first, "ok")
        }
    }

    func testBadStartupPacketsGet08P01() throws {
        for packet: [UInt8] in [[0, 0, 0, 8, 0, 2, 0, 0], [0, 0, 0, 4], [0, 0, 0x7F, 0xFF, 0, 3, 0, 0]] {
            let client = try RawClient(port: proxy.port)
            try client.send(packet)
            XCTAssertEqual(RawClient.errorCodes(in: client.readToEnd()), ["08P01"], "\(packet)")
        }
        XCTAssertEqual(try proxy.connect().exec("SELECT 1").first, "1")
    }
}

// Listen addresses parse host:port and bracketed IPv6, and reject the rest with a reason.

import XCTest
@testable import BulkheadConfig

final class ListenAddressTests: XCTestCase {
    func testValidAddresses() throws {
        XCTAssertEqual(try ListenAddress.parse("127.0.0.1:6432").get(), ListenAddress(host: "127.0.0.1", port: 6432))
        XCTAssertEqual(try ListenAddress.parse("[::1]:6432").get(), ListenAddress(host: "::1", port: 6432))
        XCTAssertEqual(try ListenAddress.parse("localhost:0").get(), ListenAddress(host: "localhost", port: 0))
        XCTAssertEqual(try ListenAddress.parse("[fe80::1%eth0]:65535").get().host, "fe80::1%eth0")
        XCTAssertEqual(ListenAddress(host: "::", port: 5).description, "[::]:5")
        XCTAssertEqual(ListenAddress(host: "0.0.0.0", port: 5).description, "0.0.0.0:5")
    }

    func testInvalidAddresses() {
        let cases: [(String, String)] = [
            ("127.0.0.1", "(missing port)"),
            ("::1:6432", "IPv6 addresses need brackets"),
            ("[::1]6432", "(missing port)"),
            ("[::1:6432", "(missing \"]\")"),
            (":6432", "must name a host"),
            ("[]:6432", "must name a host"),
            ("host:65536", "port must be a number between 0 and 65535"),
            ("host:", "port must be a number"),
            ("host:+80", "port must be a number"),
            ("host:٨٠", "port must be a number"),
            ("host:99999999999999999999999", "port must be a number"),
        ]
        for (text, fragment) in cases {
            switch ListenAddress.parse(text) {
            case .success(let address):
                XCTFail("\(text) parsed as \(address)")
            case .failure(let message):
                XCTAssertTrue(message.text.contains(fragment), "\(text): \(message.text)")
            }
        }
    }

    func testConfiguredListenAndMetricsAddresses() throws {
        let text = "[proxy]\nlisten = \"[::]:7000\"\nmetrics_listen = \"0.0.0.0:9187\"\n" + Fixture.minimal
        let proxy = try XCTUnwrap(parse(text)).proxy
        XCTAssertEqual(proxy.listen, ListenAddress(host: "::", port: 7000))
        XCTAssertEqual(proxy.metricsListen, ListenAddress(host: "0.0.0.0", port: 9187))
        let error = singleError("[proxy]\nmetrics_listen = \"9187\"\n" + Fixture.minimal)
        XCTAssertEqual(error?.key, "proxy.metrics_listen")
        XCTAssertEqual(error?.line, 2)
    }
}

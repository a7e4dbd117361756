// swift-tools-version:6.0
// The package manifest: one module per concern, so the folder list reads as the design.
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]

let package = Package(
    name: "Bulkhead",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "bulkhead", targets: ["bulkhead"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
    ],
    targets: [
        // Wire codec: PostgreSQL protocol 3.0 messages. Pure, NIOCore only.
        .target(name: "BulkheadWire", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
        ], swiftSettings: strict),
        // Authentication exchanges (SCRAM-SHA-256, md5) as pure values.
        .target(name: "BulkheadAuth", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // TOML configuration: model, parsing, validation.
        .target(name: "BulkheadConfig", dependencies: [
            "TOMLKit",
        ], swiftSettings: strict),
        // Client-session and server-connection state machines. Pure values, no I/O.
        .target(name: "BulkheadSession", dependencies: [
            "BulkheadWire", "BulkheadAuth", "BulkheadRouting",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        // Pool state machine. Pure value, injected clock.
        .target(name: "BulkheadPool", dependencies: [], swiftSettings: strict),
        // NIO glue: channel handlers that only execute the state machines' actions.
        .target(name: "BulkheadProxy", dependencies: [
            "BulkheadWire", "BulkheadAuth", "BulkheadConfig", "BulkheadSession", "BulkheadPool", "BulkheadSQL",
            "BulkheadRouting",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        // The `bulkhead` command.
        .executableTarget(name: "bulkhead", dependencies: [
            "BulkheadProxy", "BulkheadConfig", "BulkheadAuth", "BulkheadSQL",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        // libpg_query, PostgreSQL's own parser (Debian's libpg-query-dev).
        .systemLibrary(name: "CPgQuery", path: "Sources/CPgQuery", providers: [.apt(["libpg-query-dev"])]),
        // SQL gate: parse, classify, check, rewrite and verify statements; cached.
        .target(name: "BulkheadSQL", dependencies: ["CPgQuery"], swiftSettings: strict),
        // Read/write routing core: topology and failover, read balancing, read-your-writes. Pure values, injected clock.
        .target(name: "BulkheadRouting", dependencies: [], swiftSettings: strict),
        // libpq, the reference client, for the integration tests.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),

        .testTarget(name: "BulkheadWireTests", dependencies: [
            "BulkheadWire",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOTestUtils", package: "swift-nio"),
        ], swiftSettings: strict),
        .testTarget(name: "BulkheadRoutingTests", dependencies: ["BulkheadRouting"], swiftSettings: strict),
        .testTarget(name: "BulkheadSQLTests", dependencies: ["BulkheadSQL"], swiftSettings: strict),
        .testTarget(name: "BulkheadAuthTests", dependencies: ["BulkheadAuth"], swiftSettings: strict),
        .testTarget(name: "BulkheadConfigTests", dependencies: ["BulkheadConfig"], swiftSettings: strict),
        .testTarget(name: "BulkheadSessionTests", dependencies: [
            "BulkheadSession", "BulkheadWire", "BulkheadAuth",
        ], swiftSettings: strict),
        .testTarget(name: "BulkheadPoolTests", dependencies: ["BulkheadPool"], swiftSettings: strict),
        .testTarget(name: "BulkheadProxyTests", dependencies: [
            "BulkheadProxy", "BulkheadWire", "BulkheadConfig", "BulkheadAuth", "BulkheadRouting", "BulkheadSQL", "BulkheadSession",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
        ], swiftSettings: strict),
        .testTarget(name: "BulkheadIntegrationTests", dependencies: [
            "BulkheadProxy", "BulkheadConfig", "BulkheadAuth", "BulkheadRouting", "CLibPQ",
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)

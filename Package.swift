// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "caseload",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "caseload-server", targets: ["caseload-server"]),
        .executable(name: "caseload", targets: ["caseload"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3" ..< "5.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // Exact: CaseloadStorage uses its underscored `_ConnectionPoolModule` (ConnectionPoolError,
        // which the pool's circuit breaker throws unwrapped; nothing public carries it).
        .package(url: "https://github.com/vapor/postgres-nio.git", exact: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Deflate and CRC-32 for the xlsx report's ZIP container (the server streams the
        // container itself, a chunk per call; see ZipStream).
        .package(url: "https://github.com/weichsel/ZIPFoundation.git", exact: "0.9.20"),
    ],
    targets: [
        // Pure domain: identifiers, validation rules, state. No I/O.
        .target(name: "CaseloadCore"),
        // JSON-RPC 2.0 types, JSON reading and writing, line framing. Shared by server and clients.
        .target(
            name: "CaseloadProtocol",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")]
        ),
        // The async client transport (TCP, TLS, pipelining, notifications): what clients link and
        // the server does not.
        .target(
            name: "CaseloadClient",
            dependencies: [
                "CaseloadProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // General concurrency: answering by a deadline whether or not the work stops, on one clock.
        .target(name: "CaseloadConcurrency"),
        // Everything that speaks SQL: migrations and the stores.
        .target(
            name: "CaseloadStorage",
            dependencies: [
                "CaseloadCore",
                "CaseloadConcurrency",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // For ConnectionPoolError, which the pool's circuit breaker throws unwrapped.
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The TCP server: connections, dispatch, method registry, handlers.
        .target(
            name: "CaseloadServer",
            dependencies: [
                "CaseloadCore",
                "CaseloadConcurrency",
                "CaseloadProtocol",
                "CaseloadStorage",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
        .executableTarget(
            name: "caseload-server",
            dependencies: [
                "CaseloadCore",
                "CaseloadServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        // The Swift CLI lives with the other clients and depends on the pure domain (dates, the calendar), the protocol and the client library: never on storage or the server.
        .target(
            name: "CaseloadCLI",
            dependencies: [
                "CaseloadCore",
                "CaseloadProtocol",
                "CaseloadClient",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "clients/swift/Sources/CaseloadCLI"
        ),
        .executableTarget(
            name: "caseload",
            dependencies: ["CaseloadCLI"],
            path: "clients/swift/Sources/caseload"
        ),
        // The protocol fuzzer (generator, oracle, drivers) and its long-run executable (`make fuzz`).
        .target(
            name: "CaseloadFuzz",
            dependencies: [
                // SplitMix64, and for the semantic fuzzer the identifier checks and case kinds (valid ID
                // numbers, credit codes, stage data); the line oracle reads JSON with its own code.
                "CaseloadCore",
                "CaseloadProtocol",
                "CaseloadClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "caseload-fuzz",
            dependencies: ["CaseloadFuzz", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        // The benchmark's load generator (pipelined, one event loop) and its executable (`make bench`).
        .target(
            name: "CaseloadBench",
            dependencies: [
                "CaseloadCore", "CaseloadProtocol", .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .executableTarget(
            name: "caseload-bench",
            dependencies: [
                "CaseloadBench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "CaseloadBenchTests",
            dependencies: ["CaseloadBench", "CaseloadCore", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(name: "CaseloadCoreTests", dependencies: ["CaseloadCore"], exclude: ["Golden"]),
        .testTarget(
            name: "CaseloadProtocolTests",
            dependencies: [
                "CaseloadProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
        .testTarget(name: "CaseloadCLITests", dependencies: ["CaseloadCLI"]),
        // Pure tests of the storage layer's and the concurrency module's logic: no database.
        .testTarget(name: "CaseloadConcurrencyTests", dependencies: ["CaseloadConcurrency"]),
        .testTarget(name: "CaseloadStorageTests", dependencies: ["CaseloadStorage"]),
        .testTarget(
            name: "CaseloadIntegrationTests",
            dependencies: [
                "CaseloadCore", "CaseloadConcurrency", "CaseloadServer", "CaseloadProtocol", "CaseloadClient", "CaseloadStorage", "CaseloadCLI", "CaseloadFuzz",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                // Reads the xlsx report back (a second ZIP implementation besides the server's writer).
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ]
        ),
    ]
)

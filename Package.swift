// swift-tools-version:6.0
// Kiel for Swift: a callback-driven Kafka client with ZooKeeper-coordinated consumer groups,
// driven by a single-threaded poll() reactor. No package dependencies: Foundation, Dispatch,
// Glibc, the system zlib and, for TLS in its own module, the system OpenSSL.
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "Kiel",
    products: [
        .library(name: "Kiel", targets: ["Kiel"]),
        .library(name: "KielIO", targets: ["KielIO"]),
        .library(name: "KafkaProtocol", targets: ["KafkaProtocol"]),
        .library(name: "ZooKeeper", targets: ["ZooKeeper"]),
        .library(name: "KielTLS", targets: ["KielTLS"]),
        .executable(name: "epoll-host", targets: ["EpollHostExample"]),
        .executable(name: "kiel", targets: ["KielCLI"]),
        .executable(name: "worker", targets: ["WorkerExample"]),
        .executable(name: "broker-worker", targets: ["BrokerWorkerExample"]),
        .executable(name: "maker", targets: ["MakerExample"]),
        .executable(name: "counter", targets: ["CounterExample"]),
        .executable(name: "embedded", targets: ["EmbeddedExample"]),
        .executable(name: "getting-started", targets: ["GettingStartedExample"]),
        .executable(name: "client-benchmarks", targets: ["ClientBenchmarks"]),
    ],
    targets: [
        // The system zlib (zlib1g-dev), for gzip and the legacy CRC32.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // The system OpenSSL (libssl-dev), for KielTLS only: the other modules build without it.
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),

        // Linux headers missing from Swift's Glibc module (eventfd, epoll).
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),

        // CRC-32C on the CPU's instruction (SSE4.2, ARMv8 CRC), chosen at run time.
        // pthread_once builds its shift tables; older glibc keeps it in libpthread.
        .target(name: "CCRC32C", path: "Sources/CCRC32C", linkerSettings: [.linkedLibrary("pthread")]),

        .target(name: "KielIO", dependencies: ["CLinux"], swiftSettings: strict),
        // The record batch codecs (gzip over the system zlib; snappy, LZ4 and zstd in Swift),
        // apart from the protocol so that module reads as the protocol.
        .target(name: "KafkaCompression", dependencies: ["CZlib"], swiftSettings: strict),
        .target(name: "KafkaProtocol", dependencies: ["KafkaCompression", "CZlib", "CCRC32C"], swiftSettings: strict),
        .target(name: "ZooKeeper", dependencies: ["KielIO"], swiftSettings: strict),
        // TLS under KielIO's FramedStream, through memory BIOs.
        .target(name: "KielTLS", dependencies: ["KielIO", "COpenSSL"], swiftSettings: strict),
        .target(name: "Kiel", dependencies: ["KielIO", "KafkaProtocol", "ZooKeeper", "KielTLS"],
                swiftSettings: strict),

        .executableTarget(name: "CodecBenchmarks", dependencies: ["KafkaProtocol", "KafkaCompression"], path: "Benchmarks/CodecBenchmarks"),
        .executableTarget(name: "EpollHostExample", dependencies: ["KielIO", "CLinux"], path: "Examples/EpollHost"),

        // Counts the bytes the test process allocates (it takes over malloc); tests only.
        .target(name: "AllocationCounter", path: "Tests/AllocationCounter"),
        // Reports the seed and case of a fuzz case that crashes or hangs; tests only.
        .target(name: "FuzzGuard", path: "Tests/FuzzGuard"),
        // Finds the real services scripts/test.sh starts (KIEL_TEST_* variables), counts
        // allocations, runs seeded fuzz cases; tests only.
        .target(name: "KielTestSupport", dependencies: ["AllocationCounter", "FuzzGuard"], path: "Tests/KielTestSupport",
                swiftSettings: strict),

        .testTarget(name: "KielIOTests", dependencies: ["KielIO", "CLinux", "KielTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "KafkaProtocolTests", dependencies: ["KafkaProtocol", "KafkaCompression", "KielTestSupport"],
                    exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "ZooKeeperTests", dependencies: ["ZooKeeper", "KielTestSupport"],
                    exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "KielTests", dependencies: ["Kiel", "KielTestSupport"],
                    swiftSettings: strict),
        .testTarget(name: "KielTLSTests", dependencies: ["KielTLS", "KielIO", "CLinux", "KielTestSupport"],
                    swiftSettings: strict),

        .executableTarget(name: "KielCLI", dependencies: ["Kiel"], swiftSettings: strict),
        .executableTarget(name: "MakerExample", dependencies: ["Kiel"], path: "Examples/Maker",
                          swiftSettings: strict),
        .executableTarget(name: "CounterExample", dependencies: ["Kiel"], path: "Examples/Counter",
                          swiftSettings: strict),
        .executableTarget(name: "EmbeddedExample", dependencies: ["Kiel", "CLinux"], path: "Examples/Embedded",
                          swiftSettings: strict),
        .executableTarget(name: "ClientBenchmarks", dependencies: ["Kiel"], path: "Benchmarks/ClientBenchmarks",
                          swiftSettings: strict),
        .executableTarget(name: "WorkerExample", dependencies: ["Kiel"], path: "Examples/Worker",
                          swiftSettings: strict),
        .executableTarget(name: "BrokerWorkerExample", dependencies: ["Kiel"], path: "Examples/BrokerWorker",
                          swiftSettings: strict),
        // The README's "Getting started" program, word for word.
        .executableTarget(name: "GettingStartedExample", dependencies: ["Kiel"], path: "Examples/GettingStarted",
                          swiftSettings: strict),
        // Runs `kiel group` processes (built with the package) against the real services.
        .testTarget(name: "GroupedConsumerTests", dependencies: ["KielTestSupport"], swiftSettings: strict),
        // Runs the built `kiel`, `getting-started` and `broker-worker` executables (hence the dependencies).
        .testTarget(name: "KielCLITests", dependencies: ["KielCLI", "GettingStartedExample", "BrokerWorkerExample",
                                                         "KielTestSupport"],
                    swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)

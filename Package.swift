// swift-tools-version:6.0
// Kiel for Swift: a callback-driven Kafka client with ZooKeeper-coordinated consumer groups,
// driven by a single-threaded poll() reactor. No package dependencies: Foundation, Dispatch,
// Glibc and the system zlib only.
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
        .executable(name: "kiel", targets: ["KielCLI"]),
    ],
    targets: [
        // The system zlib (zlib1g-dev), for gzip and the legacy CRC32.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // Linux headers missing from Swift's Glibc module (eventfd, epoll).
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),

        .target(name: "KielIO", dependencies: ["CLinux"], swiftSettings: strict),
        .target(name: "KafkaProtocol", dependencies: ["CZlib"], swiftSettings: strict),
        .target(name: "ZooKeeper", dependencies: ["KielIO"], swiftSettings: strict),
        .target(name: "Kiel", dependencies: ["KielIO", "KafkaProtocol", "ZooKeeper"],
                swiftSettings: strict),

        .testTarget(name: "KielIOTests", dependencies: ["KielIO", "CLinux"], swiftSettings: strict),
        .testTarget(name: "KafkaProtocolTests", dependencies: ["KafkaProtocol"],
                    swiftSettings: strict),
        .testTarget(name: "ZooKeeperTests", dependencies: ["ZooKeeper"], swiftSettings: strict),
        .testTarget(name: "KielTests", dependencies: ["Kiel"], swiftSettings: strict),

        .executableTarget(name: "KielCLI", dependencies: ["Kiel"], swiftSettings: strict),
        .testTarget(name: "KielCLITests", dependencies: ["KielCLI"], swiftSettings: strict),
    ],
    swiftLanguageModes: [.v6]
)

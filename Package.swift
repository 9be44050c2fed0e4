// swift-tools-version:6.0
// starfleetd: Starfleet's Starbase and worker ships as one long-running Linux daemon.
import PackageDescription

/// Strictness shared by every Swift target: Swift 6 mode, explicit `any`, C modules kept internal.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "starfleetd",
    products: [
        .executable(name: "starfleetctl", targets: ["starfleetctl"]),
        .executable(name: "starfleet-bench", targets: ["starfleet-bench"]),
        .executable(name: "queue-bench", targets: ["queue-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // C libraries from Debian (apt providers name the -dev packages). Each is imported by one Swift module.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // Typed wrappers for curl's variadic curl_easy_setopt / curl_easy_getinfo (Swift cannot call varargs).
        .target(name: "CCurlShim", dependencies: ["CCurl"], linkerSettings: [.linkedLibrary("curl")]),

        // The wall-clock seam: the real clock and a manual one that tests move by hand.
        .target(name: "StarfleetClock", swiftSettings: strict),
        // Pure: config model and validation, schedules, templates, account index, fan-out planner.
        .target(name: "StarfleetCore", swiftSettings: strict),
        // libyaml events → marked values → Core types. The only user of CYAML.
        .target(name: "StarfleetYAML", dependencies: ["StarfleetCore", "CYAML"], swiftSettings: strict),
        // The queue's C helpers: CRC-32C with the CPU's crc32 instruction, SQS's body check, malloc_trim.
        .target(name: "CStarfleetQueueSupport"),
        // Durable local queue with SQS semantics (segmented journal, group commit) and the dead-letter directory.
        // Deals in bytes and strings only: no StarfleetCore.
        .target(
            name: "StarfleetQueue",
            dependencies: ["StarfleetClock", "CStarfleetQueueSupport", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),

        .executableTarget(
            name: "starfleetctl",
            dependencies: [
                "StarfleetCore", "StarfleetYAML",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        .executableTarget(
            name: "starfleet-bench",
            dependencies: ["StarfleetCore", "StarfleetYAML"],
            swiftSettings: strict),

        // Sends and receives in a loop, printing each acknowledgement; the crash test SIGKILLs it.
        .executableTarget(
            name: "queue-crash-child",
            dependencies: ["StarfleetQueue", "StarfleetClock", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),
        // The queue benchmark (scripts/bench-queue): ratios against the disk's own limits and beanstalkd.
        .executableTarget(
            name: "queue-bench",
            dependencies: ["StarfleetQueue", "StarfleetClock", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict),

        .testTarget(name: "StarfleetClockTests", dependencies: ["StarfleetClock"]),
        .testTarget(name: "StarfleetQueueTests", dependencies: ["StarfleetQueue", "StarfleetClock"]),
        .testTarget(name: "StarfleetCoreTests", dependencies: ["StarfleetCore"], resources: [.copy("Fixtures")]),
        .testTarget(name: "StarfleetYAMLTests", dependencies: ["StarfleetCore", "StarfleetYAML"],
                    resources: [.copy("Fixtures")]),
    ]
)

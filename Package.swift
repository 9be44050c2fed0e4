// swift-tools-version:6.2
// starfleetd: Starfleet's Starbase and worker ships as one long-running Linux daemon.
import PackageDescription

/// Strictness shared by every Swift target: Swift 6 mode, explicit `any`, C modules kept internal, and a warning is
/// an error (the project's own targets only: dependencies' warnings are theirs).
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .treatAllWarnings(as: .error),
]

let logging: Target.Dependency = .product(name: "Logging", package: "swift-log")
let argumentParser: Target.Dependency = .product(name: "ArgumentParser", package: "swift-argument-parser")

let package = Package(
    name: "starfleetd",
    products: [
        .executable(name: "starfleetd", targets: ["starfleetd"]),
        .executable(name: "starfleetctl", targets: ["starfleetctl"]),
        .executable(name: "starfleet-bench", targets: ["starfleet-bench"]),
        .executable(name: "queue-bench", targets: ["queue-bench"]),
        // What a Swift worker author imports: the WorkerShip API (no libcurl, no daemon in its graph), and AWS
        // clients for workers that want them (Tests/WorkerKitPackage builds a worker against the first alone).
        .library(name: "StarfleetWorkerKit", targets: ["StarfleetWorkerKit"]),
        .library(name: "StarfleetWorkerAWS", targets: ["StarfleetWorkerAWS"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // One HTTP stack for every endpoint (metrics, the Lambda Runtime API, the Invoke API, the console). Traits
        // off: no swift-configuration and no full Foundation in the daemon.
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        // NIOHTTPTypes: the request parts a connection guard sees (Hummingbird already builds it).
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        // C libraries from Debian (apt providers name the -dev packages). Each is imported by one Swift module.
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        // Typed wrappers for curl's variadic curl_easy_setopt / curl_easy_getinfo (Swift cannot call varargs).
        .target(name: "CCurlShim", dependencies: ["CCurl"], linkerSettings: [.linkedLibrary("curl")]),
        // GNU/Linux process calls Swift's Glibc module hides (it is built without _GNU_SOURCE): pipe2, pidfd_open,
        // posix_spawn_file_actions_addchdir_np / addclosefrom_np.
        .target(name: "CSpawn"),
        // One TCP socket's owner by its exact four-tuple (NETLINK_SOCK_DIAG), for the listeners that admit by uid.
        .target(name: "CSocketDiag"),

        // The wall-clock seam: the protocol and the real clock (tests get StarfleetTestSupport's ManualClock).
        .target(name: "StarfleetClock", swiftSettings: strict),
        // SHA-256 / HMAC over libcrypto: template content hashes, deduplication ids, SigV4. The only user of COpenSSL.
        .target(name: "StarfleetCrypto", dependencies: ["COpenSSL"], swiftSettings: strict),
        // Pure: config model and validation, schedules, templates, account index, fan-out planner.
        .target(name: "StarfleetCore", swiftSettings: strict),
        // libyaml events → marked values → Core types. The only user of CYAML.
        .target(name: "StarfleetYAML", dependencies: ["StarfleetCore", "CYAML"], swiftSettings: strict),
        // The state directory's file seam: POSIX file calls behind a protocol (fault-injection tests), one atomic
        // replace (temp, fsync, rename, fsync of the folder), mkdir -p.
        .target(name: "StarfleetFiles", swiftSettings: strict),
        // The queue's C helpers: CRC-32C with the CPU's crc32 instruction, SQS's body check, malloc_trim.
        .target(name: "CStarfleetQueueSupport"),
        // Durable local queue with SQS semantics (segmented journal, group commit) and the dead-letter directory.
        // Deals in bytes and strings only: no StarfleetCore.
        .target(
            name: "StarfleetQueue", dependencies: ["StarfleetFiles", "StarfleetClock", "CStarfleetQueueSupport", logging],
            swiftSettings: strict),
        // The run history: every worker execution in bounded, checksummed, append-only segment files per worker
        // (docs/run-history-format.md). Plain records and bytes, no StarfleetCore; the journal's frame and CRC-32C.
        .target(
            name: "StarfleetRunHistory", dependencies: ["StarfleetFiles", "StarfleetQueue", "StarfleetClock", logging],
            swiftSettings: strict),
        // sd_notify readiness/watchdog and the journald/stderr log handlers (only user of CSystemd).
        .target(name: "StarfleetSystemd", dependencies: ["CSystemd", "StarfleetClock", logging], swiftSettings: strict),
        // Runs one process-worker invocation: posix_spawn, payload on stdin, bounded output, timeout, kill.
        .target(
            name: "StarfleetProcess", dependencies: ["StarfleetCore", "CSpawn", "StarfleetClock", logging], swiftSettings: strict),
        // The WorkerShip API a Swift worker author imports: core and swift-log only.
        .target(name: "StarfleetWorkerKit", dependencies: ["StarfleetCore", logging], swiftSettings: strict),
        // `context.aws()` for Swift workers, over the AWS adapter (libcurl).
        .target(name: "StarfleetWorkerAWS", dependencies: ["StarfleetWorkerKit", "StarfleetAWS"], swiftSettings: strict),
        // The built-in ships: process workers, the account index generator, the no-op ship; the registry.
        .target(
            name: "StarfleetWorkers",
            dependencies: [
                "StarfleetCore", "StarfleetWorkerKit", "StarfleetWorkerAWS", "StarfleetProcess", "StarfleetAWS", logging,
            ],
            swiftSettings: strict),
        // The watched template directory (local stand-in for Starfleet's S3 trigger): inotify + periodic rescan,
        // persisted content hashes. Deals in paths, keys, bytes and hashes only, so it needs neither Core nor YAML.
        .target(
            name: "StarfleetTemplates", dependencies: ["StarfleetFiles", "StarfleetClock", "StarfleetCrypto", logging],
            swiftSettings: strict),
        // Prometheus metrics: the registry and its text exposition. No HTTP server: starfleetd serves the text on
        // STARFLEET.MetricsAddress through StarfleetHTTP (DaemonEndpoints).
        .target(name: "StarfleetMetrics", swiftSettings: strict),
        // The HTTP adapter: Hummingbird servers on loopback TCP or a Unix socket, each connection admitted by its
        // owner's uid (the kernel's socket diagnostics by exact four-tuple) with per-user caps and deadlines, and
        // which process holds a connection, for endpoints only the daemon's own workers may use.
        .target(
            name: "StarfleetHTTP",
            dependencies: [
                "CSocketDiag", .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                logging, .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict),
        // The AWS layer over libcurl (the only Swift user of CCurl): SigV4, HTTP with retries on dedicated threads,
        // the credentials chain, endpoints, S3, SQS, STS, Organizations, Secrets Manager. Knows nothing of Core, the
        // queue or the daemon.
        .target(
            name: "StarfleetAWS", dependencies: ["CCurl", "CCurlShim", "StarfleetCrypto", "StarfleetClock", logging],
            swiftSettings: strict),
        // SQSQueue: the MessageQueue protocol over SQS, so that neither the queue nor the AWS layer knows the other.
        .target(
            name: "StarfleetSQSQueue",
            dependencies: ["StarfleetQueue", "StarfleetAWS", "StarfleetClock", "StarfleetCrypto", logging],
            swiftSettings: strict),
        // The application, as targets that say what they are; each depends only downward.
        // The daemon core: configuration loading, queues and routing, the scheduler, template watching and polling,
        // the Starbase, dispatch, alerts, status, reload, the inbox, run history, systemd, and the files and
        // environments of out-of-process workers. No HTTP server: the Lambda runtime is a protocol here
        // (`LambdaRuntime`), given to it by the composition root.
        .target(
            name: "StarfleetDaemon",
            dependencies: [
                "StarfleetCore", "StarfleetYAML", "StarfleetFiles", "StarfleetQueue", "StarfleetSQSQueue", "StarfleetRunHistory",
                "StarfleetWorkerKit", "StarfleetWorkers", "StarfleetSystemd", "StarfleetClock",
                "StarfleetCrypto", "StarfleetProcess", "StarfleetTemplates", "StarfleetMetrics", "StarfleetAWS",
                logging,
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        // The Lambda runtime: warm pools, the Runtime API and the Invoke API's routes, the hub they share.
        .target(
            name: "StarfleetLambda",
            dependencies: [
                "StarfleetDaemon", "StarfleetHTTP", "StarfleetCore", "StarfleetClock", "StarfleetCrypto", "StarfleetProcess",
                "StarfleetWorkerKit", "StarfleetWorkers", logging,
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict),
        // The web console: pages, routes, their guard, and what they show of the running daemon.
        .target(
            name: "StarfleetConsole",
            dependencies: [
                "StarfleetDaemon", "StarfleetHTTP", "StarfleetCore", "StarfleetClock", "StarfleetCrypto", "StarfleetQueue",
                "StarfleetRunHistory", "StarfleetAWS", "StarfleetFiles", "StarfleetWorkers", "StarfleetYAML", logging,
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict),
        // What each starfleetctl command does. No HTTP server: starfleetctl links no NIO and no Hummingbird.
        .target(
            name: "StarfleetControl",
            dependencies: [
                "StarfleetDaemon", "StarfleetCore", "StarfleetYAML", "StarfleetFiles", "StarfleetQueue", "StarfleetSQSQueue",
                "StarfleetRunHistory", "StarfleetWorkerKit", "StarfleetWorkers", "StarfleetClock", "StarfleetCrypto",
                "StarfleetProcess", "StarfleetAWS", logging,
            ],
            swiftSettings: strict),

        // The executables parse arguments; starfleetd is also the composition root (it builds the endpoints, says
        // READY and joins the services).
        .executableTarget(
            name: "starfleetd",
            dependencies: [
                "StarfleetDaemon", "StarfleetLambda", "StarfleetConsole", "StarfleetHTTP", "StarfleetCore", "StarfleetClock",
                "StarfleetFiles", "StarfleetQueue", "StarfleetRunHistory", "StarfleetSystemd", "StarfleetMetrics",
                "StarfleetWorkers", "StarfleetYAML", argumentParser, logging,
                .product(name: "Hummingbird", package: "hummingbird"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict),
        .executableTarget(name: "starfleetctl", dependencies: ["StarfleetControl", argumentParser], swiftSettings: strict),
        .executableTarget(name: "starfleet-bench", dependencies: ["StarfleetCore", "StarfleetYAML"], swiftSettings: strict),
        // Sends and receives in a loop, printing each acknowledgement; the crash test SIGKILLs it.
        .executableTarget(
            name: "queue-crash-child", dependencies: ["StarfleetQueue", "StarfleetClock", logging], swiftSettings: strict),
        // The fuzz targets (YAML config, templates, account index, schedules, queue journal): replay and a
        // random-mutation fuzzer in every build; libFuzzer only in scripts/e2e/fuzz.sh's sanitizer build
        // (-DSTARFLEET_FUZZ, scratch path .build-fuzz), which is why it is not a product.
        .executableTarget(
            name: "starfleet-fuzz",
            dependencies: ["StarfleetCore", "StarfleetYAML", "StarfleetQueue", "StarfleetClock", logging],
            exclude: [], swiftSettings: strict),
        // The queue benchmark (scripts/bench-queue): ratios against the disk's own limits and beanstalkd.
        .executableTarget(
            name: "queue-bench", dependencies: ["StarfleetFiles", "StarfleetQueue", "StarfleetClock", logging],
            swiftSettings: strict),

        // The doubles the test targets share (used by tests only): the manual clock, an in-memory queue, fake ships,
        // captured logs, temporary directories and configurations, and the moto_server / scripted-server processes.
        .target(
            name: "StarfleetTestSupport",
            dependencies: ["StarfleetClock", "StarfleetCore", "StarfleetYAML", "StarfleetQueue", "StarfleetWorkerKit", logging],
            swiftSettings: strict),

        .testTarget(name: "StarfleetClockTests", dependencies: ["StarfleetClock", "StarfleetTestSupport"]),
        .testTarget(name: "StarfleetMetricsTests", dependencies: ["StarfleetMetrics"]),
        .testTarget(
            name: "StarfleetHTTPTests",
            dependencies: [
                "StarfleetHTTP", logging, .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"), .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]),
        .testTarget(name: "StarfleetCryptoTests", dependencies: ["StarfleetCrypto"]),
        .testTarget(name: "StarfleetCoreTests", dependencies: ["StarfleetCore", "StarfleetYAML"], exclude: ["Fixtures"]),
        .testTarget(name: "StarfleetYAMLTests", dependencies: ["StarfleetCore", "StarfleetYAML", "StarfleetTestSupport"]),
        .testTarget(name: "StarfleetFilesTests", dependencies: ["StarfleetFiles", "StarfleetTestSupport"]),
        .testTarget(
            name: "StarfleetQueueTests",
            dependencies: ["StarfleetFiles", "StarfleetQueue", "StarfleetClock", "StarfleetTestSupport"]),
        .testTarget(
            name: "StarfleetRunHistoryTests",
            dependencies: [
                "StarfleetRunHistory", "StarfleetFiles", "StarfleetQueue", "StarfleetClock", "StarfleetTestSupport", logging,
            ]),
        .testTarget(
            name: "StarfleetSystemdTests", dependencies: ["StarfleetSystemd", "StarfleetClock", "StarfleetTestSupport", logging]),
        .testTarget(name: "StarfleetProcessTests", dependencies: ["StarfleetProcess", "StarfleetClock"]),
        .testTarget(
            name: "StarfleetDaemonTests",
            dependencies: [
                "StarfleetDaemon", "StarfleetCore", "StarfleetYAML", "StarfleetQueue", "StarfleetClock", "StarfleetAWS",
                "StarfleetSQSQueue", "StarfleetMetrics", "StarfleetWorkerKit", "StarfleetWorkers", "StarfleetRunHistory",
                "StarfleetTestSupport", logging,
            ]),
        .testTarget(
            name: "StarfleetLambdaTests",
            dependencies: [
                "StarfleetLambda", "StarfleetDaemon", "StarfleetCore", "StarfleetProcess", "StarfleetWorkerKit",
                "StarfleetWorkers", "StarfleetTestSupport",
                logging,
            ]),
        .testTarget(
            name: "StarfleetConsoleTests",
            dependencies: [
                "StarfleetConsole", "StarfleetDaemon", "StarfleetCore", "StarfleetCrypto", "StarfleetQueue",
                "StarfleetRunHistory",
                "StarfleetYAML", "StarfleetTestSupport", logging,
            ]),
        .testTarget(
            name: "StarfleetControlTests",
            dependencies: ["StarfleetControl", "StarfleetDaemon", "StarfleetCore", "StarfleetRunHistory", "StarfleetTestSupport"]),
        .testTarget(
            name: "StarfleetAWSTests",
            dependencies: ["StarfleetAWS", "StarfleetClock", "StarfleetCrypto", "StarfleetTestSupport", logging]),
        // SQSQueue against moto_server and scripted SQS endpoints; the delete batcher on the manual clock.
        .testTarget(
            name: "StarfleetSQSQueueTests",
            dependencies: [
                "StarfleetSQSQueue", "StarfleetAWS", "StarfleetQueue", "StarfleetClock", "StarfleetTestSupport", logging,
            ]),
        .testTarget(
            name: "StarfleetWorkersTests",
            dependencies: [
                "StarfleetWorkers", "StarfleetWorkerKit", "StarfleetAWS", "StarfleetCore", "StarfleetYAML",
                "StarfleetTestSupport", logging,
            ],
            exclude: ["Fixtures"]),
        .testTarget(
            name: "StarfleetTemplatesTests",
            dependencies: ["StarfleetTemplates", "StarfleetClock", "StarfleetCrypto", "StarfleetTestSupport", logging]),
    ]
)

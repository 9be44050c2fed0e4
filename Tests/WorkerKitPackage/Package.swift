// swift-tools-version:6.1
// A Swift worker built the way a worker author builds one: against the StarfleetWorkerKit library product alone.
// scripts/e2e/workerkit.sh builds it, runs it, and checks that libcurl is nowhere on its link line.
import PackageDescription

let package = Package(
    name: "GreeterWorker",
    dependencies: [.package(name: "starfleetd", path: "../..")],
    targets: [
        .executableTarget(
            name: "GreeterWorker",
            dependencies: [.product(name: "StarfleetWorkerKit", package: "starfleetd")])
    ]
)

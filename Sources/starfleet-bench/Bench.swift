/// Benchmarks, run in a release build: `swift run -c release starfleet-bench <name>`.
@main
struct Bench {
    static func main() {
        print("usage: starfleet-bench <benchmark>")
    }
}

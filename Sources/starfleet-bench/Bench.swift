/// Benchmarks, run in a release build: `swift run -c release starfleet-bench [plan …]`. They print medians and
/// ratios against targets and the machine's own limits; they are not tests and assert nothing.
@main
struct Bench {
    static func main() throws {
        let all = ["plan"]
        let chosen = CommandLine.arguments.count > 1 ? Array(CommandLine.arguments.dropFirst()) : all
        for name in chosen {
            switch name {
            case "plan": try PlanBenchmark.run()
            default:
                print("unknown benchmark \(name); available: \(all.joined(separator: ", "))")
                return
            }
        }
    }
}

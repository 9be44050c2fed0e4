import Glibc

/// A random-mutation fuzzer for builds without libFuzzer: not coverage-guided, but the same targets, seeds and
/// classic mutations (bit flips, interesting bytes, splices, repeats, truncation, ASCII tokens). Before each run
/// the input is saved to `./starfleet-fuzz-current-<target>` so a trap leaves the crashing input behind.
enum Mutator {
    static let tokens: [[UInt8]] = [
        "\n", ": ", "- ", "{", "}", "[", "]", "\"", "'", "&a ", "*a", "!!binary ", "<<: ", "---\n", "...\n", "*", "?", "/",
        ",", "-", "L", "W", "#", "0", "59", "2147483647", "9999999999999999999", "-1", "rate(", "cron(", ")", " minutes",
        "ALL", "AllAccounts: true", "IncludeRegions: ", "ByOUIds: ", "\"accounts\"", "null", "true", "1e308",
    ].map { Array($0.utf8) }

    static func run(_ target: FuzzTarget, seconds: Double, corpus: [String]) {
        var seeds = corpus.map(Corpus.read)
        if seeds.isEmpty { seeds = [[]] }
        var rng = SystemRandomNumberGenerator()
        let crashFile = "starfleet-fuzz-current-\(target.name)"
        let start = monotonicSeconds()
        var runs = 0
        for seed in seeds {
            Corpus.write(seed, to: crashFile)
            target.run(seed)
            runs += 1
        }
        while monotonicSeconds() - start < seconds {
            var input = seeds[Int.random(in: 0..<seeds.count, using: &rng)]
            for _ in 0..<Int.random(in: 1...8, using: &rng) { mutate(&input, seeds: seeds, using: &rng) }
            if input.count > 64 << 10 { input.removeLast(input.count - (64 << 10)) }
            Corpus.write(input, to: crashFile)
            target.run(input)
            runs += 1
        }
        unlink(crashFile)
        print("mutate \(target.name): \(runs) runs in \(Int(monotonicSeconds() - start)) s, no crash")
    }

    static func mutate(_ input: inout [UInt8], seeds: [[UInt8]], using rng: inout SystemRandomNumberGenerator) {
        let position = input.isEmpty ? 0 : Int.random(in: 0..<input.count, using: &rng)
        switch Int.random(in: 0..<8, using: &rng) {
        case 0 where !input.isEmpty: input[position] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
        case 1 where !input.isEmpty:
            input[position] = [0, 0xff, 0x7f, 0x80, 0x0a, 0x20, 0x3a, 0x2d].randomElement(using: &rng) ?? 0
        case 2 where !input.isEmpty: input.remove(at: position)
        case 3: input.insert(contentsOf: tokens.randomElement(using: &rng) ?? [], at: position)
        case 4 where input.count > 1:
            let end = Int.random(in: position...input.count, using: &rng)
            let slice = Array(input[position..<end])
            input.insert(contentsOf: slice, at: Int.random(in: 0...input.count, using: &rng))
        case 5: input.removeLast(Int.random(in: 0...input.count, using: &rng) / 2)
        case 6:
            let other = seeds.randomElement(using: &rng) ?? []
            let cut = other.isEmpty ? 0 : Int.random(in: 0..<other.count, using: &rng)
            input = Array(input[..<position]) + other[cut...]
        default:
            if !input.isEmpty { input[position] = UInt8.random(in: 0...255, using: &rng) }
        }
    }

    static func monotonicSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }
}

// queue-bench: the queue's figures against the disk's own limits (measured in the same run) and against
// beanstalkd. Not a test: run it with scripts/bench-queue (release build, starts beanstalkd), or
//   swift run -c release queue-bench [--dir DIR] [--beanstalkd-port PORT]
// Phases 4 and 5 run in child processes of this binary so their RSS is not inflated by earlier phases.
import FoundationEssentials
import Glibc
import StarfleetFiles
import StarfleetQueue

let arguments = Array(CommandLine.arguments.dropFirst())
@MainActor func option(_ name: String) -> String? {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count else { return nil }
    return arguments[i + 1]
}

let fanOutCount = 17_000
let throughputCount = 50_000
let queuedForMemory = 100_000

if let phase = option("--phase") {
    guard let dir = option("--dir") else { die("--phase needs --dir") }
    switch phase {
    case "fill":
        let rss = try await QueueWorkloads.fill(directory: dir, count: queuedForMemory)
        report("(4) RSS with 100,000 queued 1 KiB messages", mb(rss), target: "<= 64 MB", pass: rss <= 64 << 20)
    case "recover":
        let (seconds, messages, rss) = try await QueueWorkloads.recover(directory: dir)
        if messages != queuedForMemory { die("recovered \(messages) messages, expected \(queuedForMemory)") }
        report("(5) recovery (open) with 100,000 queued", ms(seconds), target: "<= 300 ms", pass: seconds <= 0.3)
        report("    RSS after recovery", mb(rss), target: "<= 64 MB", pass: rss <= 64 << 20)
    case "throughput":  // for profiling: phase (2) alone
        let rate = try await QueueWorkloads.throughput(directory: dir, total: throughputCount, consumers: 8)
        print("throughput \(format(rate, 0)) msg/s")
    case "fanout":  // for profiling: phase (1) alone, five times
        for run in 0..<5 {
            let (seconds, _) = try await QueueWorkloads.fanOut(directory: dir + "/\(run)", count: fanOutCount)
            print("fan-out \(ms(seconds))")
        }
    default:
        die("unknown phase \(phase)")
    }
    exit(0)
}

func pad(_ text: String, _ width: Int) -> String {
    let count = text.count
    return count >= width ? text + " " : text + String(repeating: " ", count: width - count)
}

func report(_ what: String, _ measured: String, target: String, pass: Bool?) {
    let verdict: String = pass.map { $0 ? "ok" : "MISSED" } ?? ""
    let line: String = pad(what, 52) + pad(measured, 30) + pad(target, 26) + verdict
    print(line)
}

func runPhase(_ phase: String, dir: String) {
    fflush(nil)
    var pid: pid_t = 0
    let argv = ["/proc/self/exe", "--phase", phase, "--dir", dir]
    var cArgs = argv.map { strdup($0) } + [nil]
    defer { for p in cArgs { free(p) } }
    let rc = posix_spawn(&pid, "/proc/self/exe", nil, nil, &cArgs, environ)
    if rc != 0 { die("posix_spawn: \(rc)") }
    var status: Int32 = 0
    _ = waitpid(pid, &status, 0)
    if status != 0 { die("phase \(phase) failed (status \(status))") }
}

let root = option("--dir") ?? "/tmp/queue-bench-\(getpid())"
try PosixFileSystem().makeDirectories(root, mode: 0o700)
defer { _ = system("rm -rf '\(root)'") }

print("queue-bench: \(root), \(sysconf(Int32(_SC_NPROCESSORS_ONLN))) CPUs")
report("what", "measured", target: "target", pass: nil)

let sync = DiskBaseline.fdatasyncLatency(directory: root)
report("(0) disk: append 1 KiB + fdatasync, p50 / p99", "\(us(sync.p50)) / \(us(sync.p99))", target: "(baseline)", pass: nil)

// (1) The fan-out: 17,000 messages in one send. Five rounds, each a fresh queue and, right before it, the raw
// disk writing the same number of bytes to a fresh file (both onto never-used blocks), medians of each.
var fanOutTimes: [Double] = []
var rawTimes: [Double] = []
var journalBytes = 0
for run in 0..<5 {
    if journalBytes > 0 { rawTimes.append(DiskBaseline.batchedAppend(directory: root + "/raw-\(run)", total: journalBytes)) }
    let (seconds, bytes) = try await QueueWorkloads.fanOut(directory: root + "/fanout-\(run)", count: fanOutCount)
    fanOutTimes.append(seconds)
    journalBytes = bytes
}
rawTimes.append(DiskBaseline.batchedAppend(directory: root + "/raw-5", total: journalBytes))
let fanOut = median(fanOutTimes)
let rawBatch = median(rawTimes)
report("    disk: pwrite \(journalBytes / 1024) KiB + one fdatasync", ms(rawBatch), target: "(baseline)", pass: nil)
report("(1) durable send of 17,000 x 1 KiB in one batch", ms(fanOut), target: "<= 250 ms", pass: fanOut <= 0.25)
report(
    "    ratio to the disk's batched-append limit", format(fanOut / rawBatch, 2) + "x", target: "<= 2x",
    pass: fanOut / rawBatch <= 2)

// (2) Send + receive + delete, no-op consumers.
let rate = try await QueueWorkloads.throughput(directory: root + "/throughput", total: throughputCount, consumers: 8)
report("(2) send+receive+delete, 8 no-op consumers", format(rate, 0) + " msg/s", target: ">= 20,000 msg/s", pass: rate >= 20_000)

// (3) One message per send.
try PosixFileSystem().makeDirectories(root + "/latency", mode: 0o700)
let (latency, interleavedSync) = try await QueueWorkloads.singleSendLatency(directory: root + "/latency", samples: 500)
report(
    "    disk: append 1 KiB + fdatasync, interleaved", "\(us(interleavedSync.p50)) / \(us(interleavedSync.p99))",
    target: "(baseline)", pass: nil)
report("(3) single durable send latency p50 / p99", "\(us(latency.p50)) / \(us(latency.p99))", target: "", pass: nil)
report(
    "    ratio of p50 to one fdatasync (p50)", format(latency.p50 / interleavedSync.p50, 2) + "x", target: "<= 1.5x",
    pass: latency.p50 / interleavedSync.p50 <= 1.5)

// (4), (5) in fresh processes.
runPhase("fill", dir: root + "/memory")
runPhase("recover", dir: root + "/memory")

// (6) beanstalkd, when the script started one.
if let portText = option("--beanstalkd-port"), let port = UInt16(portText) {
    let bFanOut = BeanstalkWorkloads.fanOut(port: port, count: fanOutCount)
    report("(6) beanstalkd -f 0: 17,000 puts pipelined", ms(bFanOut), target: "", pass: nil)
    report("    starfleetd / beanstalkd time (lower is better)", format(fanOut / bFanOut, 3) + "x", target: "", pass: nil)
    let bRate = BeanstalkWorkloads.throughput(port: port, total: throughputCount, consumers: 8)
    report("    beanstalkd put+reserve+delete, 8 consumers", format(bRate, 0) + " msg/s", target: "", pass: nil)
    report("    starfleetd / beanstalkd rate (higher is better)", format(rate / bRate, 2) + "x", target: "", pass: nil)
    let bLatency = BeanstalkWorkloads.singlePutLatency(port: port, samples: 500)
    report("    beanstalkd single put p50 / p99", "\(us(bLatency.p50)) / \(us(bLatency.p99))", target: "", pass: nil)
    report(
        "    starfleetd / beanstalkd p50 (lower is better)", format(latency.p50 / bLatency.p50, 2) + "x", target: "", pass: nil)
}

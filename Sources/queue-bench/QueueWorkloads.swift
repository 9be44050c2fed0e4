import FoundationEssentials
import Glibc
import Logging
import StarfleetClock
import StarfleetFiles
import StarfleetQueue

/// The benchmark's workloads against ``JournalQueue``.
enum QueueWorkloads {
    static let logger = Logger(label: "queue-bench", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A ~1 KiB body shaped like a Starbase worker payload.
    static func payload(_ n: Int) -> String {
        let head =
            #"{"StarbaseAssignedAccount":"\#(100_000_000_000 + n)","StarbaseAssignedRegion":"us-east-1","TemplateName":"bench","pad":""#
        return head + String(repeating: "x", count: max(0, 1000 - head.utf8.count)) + #""}"#
    }

    static func open(_ directory: String, name: String = "BenchWorker") throws -> JournalQueue {
        let options = QueueOptions(
            visibilityTimeout: 300, maxReceiveCount: 4, retention: 4 * 86_400,
            deadLetters: DeadLetterDirectory(root: directory + "/dead-letter"))
        return try JournalQueue.open(
            directory: directory + "/queues/" + name, name: name, options: options, clock: SystemWallClock(), logger: logger)
    }

    /// (1) One durable send of `count` messages into a fresh queue; returns seconds and the journal bytes written.
    static func fanOut(directory: String, count: Int) async throws -> (seconds: Double, journalBytes: Int) {
        let queue = try open(directory)
        let messages = (0..<count).map { OutgoingMessage(body: payload($0)) }
        let seconds = try await timedAsync { _ = try await queue.send(messages) }
        await queue.close()
        var size = 0
        for name in try PosixFileSystem().contents(ofDirectory: directory + "/queues/BenchWorker/journal") {
            var st = stat()
            if stat(directory + "/queues/BenchWorker/journal/" + name, &st) == 0 { size += Int(st.st_size) - 32 }
        }
        return (seconds, size)
    }

    /// (2) A producer sending batches of 100 while `consumers` no-op consumers receive 10 at a time and delete.
    /// Returns messages per second (each message sent, received and deleted).
    static func throughput(directory: String, total: Int, consumers: Int) async throws -> Double {
        let queue = try open(directory)
        // Payloads are built before the clock starts: the producer measures the queue, not string building.
        let template = (0..<100).map { OutgoingMessage(body: payload($0)) }
        let seconds = try await timedAsync {
            try await withThrowingTaskGroup(of: Int.self) { group in
                group.addTask {
                    var sent = 0
                    while sent < total {
                        let n = min(100, total - sent)
                        _ = try await queue.send(Array(template[0..<n]))
                        sent += n
                    }
                    return 0
                }
                let done = Counter()
                for _ in 0..<consumers {
                    group.addTask {
                        var mine = 0
                        while done.value < total {
                            let batch = try await queue.receive(max: 10, visibilityTimeout: nil, wait: 0.05)
                            for message in batch where try await queue.delete(message.receiptHandle) {
                                mine += 1
                            }
                            done.add(batch.count)
                        }
                        return mine
                    }
                }
                var deleted = 0
                for try await n in group { deleted += n }
                if deleted != total { die("throughput: deleted \(deleted) of \(total)") }
            }
        }
        await queue.close()
        return Double(total) / seconds
    }

    /// (3) Sequential single-message sends, each waiting for its own fdatasync, alternating with a raw
    /// append + fdatasync of the same size on a plain file in the same directory, so both see the same disk
    /// weather (the machine is shared). Returns p50 and p99 of each, in seconds.
    static func singleSendLatency(
        directory: String, samples: Int
    ) async throws -> (queue: (p50: Double, p99: Double), disk: (p50: Double, p99: Double)) {
        let queue = try open(directory)
        let rawPath = directory + "/raw-append"
        let fd = Glibc.open(rawPath, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        if fd < 0 { die("open \(rawPath): errno \(errno)") }
        var times: [Double] = []
        var rawTimes: [Double] = []
        let body = payload(0)
        let rawBytes = [UInt8](repeating: 0x61, count: body.utf8.count + 80)
        var rawOffset: off_t = 0
        for _ in 0..<samples {
            rawTimes.append(
                timed {
                    let n = rawBytes.withUnsafeBytes { pwrite(fd, $0.baseAddress, rawBytes.count, rawOffset) }
                    if n != rawBytes.count || fdatasync(fd) != 0 { die("raw append: errno \(errno)") }
                })
            rawOffset += off_t(rawBytes.count)
            times.append(try await timedAsync { _ = try await queue.send([OutgoingMessage(body: body)]) })
        }
        close(fd)
        await queue.close()
        return ((percentile(times, 0.5), percentile(times, 0.99)), (percentile(rawTimes, 0.5), percentile(rawTimes, 0.99)))
    }

    /// (4) Fills a queue with `count` messages in batches of 1,000 and reports this process's RSS.
    static func fill(directory: String, count: Int) async throws -> Int {
        let queue = try open(directory)
        var sent = 0
        while sent < count {
            let n = min(1000, count - sent)
            _ = try await queue.send((0..<n).map { OutgoingMessage(body: payload(sent + $0)) })
            sent += n
        }
        let rss = residentBytes()
        await queue.close()
        return rss
    }

    /// (5) Opens (recovers) a queue holding the messages `fill` left; returns seconds, messages and RSS after.
    static func recover(directory: String) async throws -> (seconds: Double, messages: Int, rss: Int) {
        var queue: JournalQueue?
        let seconds = try timed { queue = try open(directory) }
        guard let queue else { die("recover: no queue") }
        let stats = try await queue.stats()
        let rss = residentBytes()
        await queue.close()
        return (seconds, stats.visible, rss)
    }
}

/// A tiny shared counter for the consumers.
final class Counter: @unchecked Sendable {
    private var count = 0
    private var lock = pthread_mutex_t()
    init() { pthread_mutex_init(&lock, nil) }
    var value: Int {
        pthread_mutex_lock(&lock)
        defer { pthread_mutex_unlock(&lock) }
        return count
    }
    func add(_ n: Int) {
        pthread_mutex_lock(&lock)
        count += n
        pthread_mutex_unlock(&lock)
    }
}

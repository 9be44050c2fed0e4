// queue-crash-child: hammers a queue with sends, receives, deletes and failures, printing every acknowledged
// operation to stdout, until the crash test SIGKILLs it. Each line is written with write(2) only after the
// queue acknowledged the operation, so what the test reads is a lower bound of what must survive:
//   S <id>            the send of <id> was acknowledged (durable)
//   R <id> <count>    <id> was received with receive count <count> (durable)
//   d <id>            about to delete <id> (printed before the call: a crash may come after the delete is
//                     durable but before "D", so only ids announced here may legitimately vanish)
//   D <id>            the delete of <id> returned true (may be lost: at-least-once)
// Usage: queue-crash-child <state directory> <seed>
import FoundationEssentials
import Glibc
import Logging
import StarfleetClock
import StarfleetQueue

func emit(_ line: String) {
    var text = line + "\n"
    text.withUTF8 { buffer in
        guard let base = buffer.baseAddress else { return }
        var done = 0
        while done < buffer.count {
            let n = write(1, base + done, buffer.count - done)
            if n <= 0 { exit(3) }
            done += n
        }
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 3, let seed = UInt64(arguments[2]) else {
    emit("usage: queue-crash-child <state directory> <seed>")
    exit(64)
}
let state = arguments[1]
var random = SplitMix(seed: seed)
let logger = Logger(label: "crash-child", factory: { _ in SwiftLogNoOpLogHandler() })
let options = QueueOptions(
    visibilityTimeout: 0.05, maxReceiveCount: 5, retention: 86_400,
    deadLetters: DeadLetterDirectory(root: state + "/dead-letter"), segmentBytes: 64 << 10)

do {
    let queue = try JournalQueue.open(
        directory: state + "/queues/CrashWorker", name: "CrashWorker", options: options, clock: SystemWallClock(),
        logger: logger)
    var counter = 0
    while true {
        let count = Int(random.next() % 20) + 1
        let batch = (0..<count).map { i in
            OutgoingMessage(
                body: "seed \(seed) message \(counter + i) " + String(repeating: "z", count: Int(random.next() % 600)))
        }
        counter += count
        for result in try await queue.send(batch) { emit("S \(result.messageId)") }
        let received = try await queue.receive(max: 10, visibilityTimeout: 0.05, wait: 0)
        for message in received { emit("R \(message.messageId) \(message.receiveCount)") }
        for message in received {
            switch random.next() % 10 {
            case 0..<6:
                emit("d \(message.messageId)")
                if try await queue.delete(message.receiptHandle) { emit("D \(message.messageId)") }
            case 6..<8:
                _ = try await queue.retryOrDeadLetter(
                    message.receiptHandle,
                    failure: FailureRecord(time: Date(), error: "simulated failure", exitStatus: 1, stderrTail: "boom"),
                    retryAfter: 0)
            default:
                break  // let the visibility timeout run out
            }
        }
    }
} catch {
    emit("E \(error)")
    exit(1)
}

/// A small deterministic generator, so a failing round can be replayed from its seed.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Where an invocation record goes: another worker (by name or function ARN), an SQS queue (its URL or ARN), or an S3
/// bucket (its ARN; on failure only, as in Lambda).
package struct AsyncDestination: Sendable, Hashable, CustomStringConvertible {
    package enum Target: Sendable, Hashable {
        case worker(String)
        /// An SQS queue URL, `https://sqs.<region>.amazonaws.com/<account>/<name>` (an ARN is turned into this form).
        case sqs(url: String)
        case s3(bucket: String)
    }

    package var target: Target
    /// The text as written (logs and messages quote it).
    package var text: String
    /// Where it was written, for a worker destination checked once every worker is known.
    package var mark: SourceMark

    package init(target: Target, text: String, mark: SourceMark) {
        self.target = target
        self.text = text
        self.mark = mark
    }

    package var description: String { text }

    package enum Problem: Error, Equatable {
        case malformed(String)
        case fifoQueue
    }

    /// Reads a `Destination` value: a worker name, a function ARN (full or partial, `$LATEST` at most), an SQS queue URL
    /// or ARN (standard queues only: Lambda refuses FIFO ones), or an S3 bucket ARN `arn:aws:s3:::<bucket>`.
    package static func parse(_ text: String, mark: SourceMark) throws(Problem) -> AsyncDestination {
        func make(_ target: Target) -> AsyncDestination { AsyncDestination(target: target, text: text, mark: mark) }
        if text.hasPrefix("https://") {
            guard let url = SQSQueueAddress(url: text) else { throw .malformed("not an SQS queue URL") }
            if url.name.hasSuffix(".fifo") { throw .fifoQueue }
            return make(.sqs(url: text))
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        if parts.count >= 3, parts[0] == "arn", parts[2] == "sqs" {
            guard let url = SQSQueueAddress(arn: text) else { throw .malformed("not an SQS queue ARN") }
            if url.name.hasSuffix(".fifo") { throw .fifoQueue }
            return make(.sqs(url: url.url))
        }
        if parts.count >= 3, parts[0] == "arn", parts[2] == "s3" {
            // arn:<partition>:s3:::<bucket>, no key.
            guard parts.count == 6, parts[3].isEmpty, parts[4].isEmpty, isBucketName(parts[5]) else {
                throw .malformed("not an S3 bucket ARN (arn:aws:s3:::bucket-name)")
            }
            return make(.s3(bucket: parts[5]))
        }
        do {
            return make(.worker(try FunctionReference.parse(text, qualifier: nil).name))
        } catch {
            throw .malformed("not a worker name, a function ARN, an SQS queue URL or ARN, or an S3 bucket ARN")
        }
    }

    /// S3's rules for new buckets: 3–63 lowercase letters, digits, dots and hyphens, starting and ending with a letter
    /// or digit.
    static func isBucketName(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        func alphanumeric(_ b: UInt8) -> Bool { (48...57).contains(b) || (97...122).contains(b) }
        guard (3...63).contains(bytes.count), let first = bytes.first, let last = bytes.last else { return false }
        return alphanumeric(first) && alphanumeric(last)
            && bytes.allSatisfy { alphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }
}

/// An Amazon SQS queue URL, `https://sqs.<region>.amazonaws.com/<account-id>/<QueueName>` (also the legacy
/// `<region>.queue.amazonaws.com` and `queue.amazonaws.com` hosts, China's `.amazonaws.com.cn` and the dual-stack
/// `sqs.<region>.api.aws`). Only such URLs make a queue SQS-backed: anything else (Starfleet's placeholder URLs,
/// an unconfigured worker) stays on the local journal queue.
///
/// The URL is what goes into every request's `QueueUrl`; where the request is sent is the SQS endpoint of its
/// region, or an override (`AWS_ENDPOINT_URL_SQS`), exactly as the SDKs do.
package struct SQSQueueURL: Sendable, Hashable, CustomStringConvertible {
    /// The URL as configured.
    package let url: String
    /// The region the URL names (the signing region).
    package let region: String
    /// The 12-digit owner account.
    package let accountID: String
    /// The queue's name; FIFO queues end in `.fifo`.
    package let queueName: String

    /// Parses `text`; nil when it is not an SQS queue URL.
    package init?(_ text: String) {
        let prefix = "https://"
        guard text.hasPrefix(prefix) else { return nil }
        let parts = text.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 3, let region = Self.region(ofHost: String(parts[0])) else { return nil }
        let account = parts[1]
        let name = parts[2]
        guard account.count == 12, account.allSatisfy(\.isASCIIDigit), Self.isValidName(name) else { return nil }
        url = text
        self.region = region
        accountID = String(account)
        queueName = String(name)
    }

    /// True for a FIFO queue (its name ends in `.fifo`).
    package var isFIFO: Bool { queueName.hasSuffix(".fifo") }

    /// The queue's ARN, `arn:aws:sqs:<region>:<account>:<name>`.
    package var arn: String { "arn:\(partition):sqs:\(region):\(accountID):\(queueName)" }

    var partition: String { region.hasPrefix("cn-") ? "aws-cn" : region.hasPrefix("us-gov-") ? "aws-us-gov" : "aws" }

    package var description: String { url }

    /// The queue an SQS ARN names (a RedrivePolicy's `deadLetterTargetArn`), as a URL of the standard form.
    package init?(arn: String) {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "sqs" else { return nil }
        let suffix = parts[1] == "aws-cn" ? ".cn" : ""
        self.init("https://sqs.\(parts[3]).amazonaws.com\(suffix)/\(parts[4])/\(parts[5])")
    }

    /// `[A-Za-z0-9_-]{1,80}`, FIFO names with their `.fifo` suffix counted.
    static func isValidName(_ name: Substring) -> Bool {
        let base = name.hasSuffix(".fifo") ? name.dropLast(5) : name
        return !base.isEmpty && name.count <= 80
            && base.allSatisfy { $0.isASCIILetterOrDigit || $0 == "-" || $0 == "_" }
    }

    /// The region a known SQS host names.
    static func region(ofHost host: String) -> String? {
        let labels = host.lowercased().split(separator: ".").map(String.init)
        func valid(_ region: String) -> String? {
            let pieces = region.split(separator: "-")
            return pieces.count >= 3 && pieces.last?.allSatisfy(\.isASCIIDigit) == true ? region : nil
        }
        switch labels.count {
        case 3 where labels == ["queue", "amazonaws", "com"]: return "us-east-1"
        case 4 where labels[0] == "sqs" && labels[2...] == ["amazonaws", "com"]: return valid(labels[1])
        case 4 where labels[0] == "sqs" && labels[2...] == ["api", "aws"]: return valid(labels[1])
        case 4 where labels[1...] == ["queue", "amazonaws", "com"]: return valid(labels[0])
        case 5 where labels[0] == "sqs" && labels[2...] == ["amazonaws", "com", "cn"]: return valid(labels[1])
        default: return nil
        }
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
    var isASCIILetterOrDigit: Bool { isASCII && (isLetter || isNumber) }
}

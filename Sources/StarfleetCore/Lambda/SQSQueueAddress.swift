/// The parts of an SQS queue URL or ARN that config validation checks (the AWS adapter parses URLs fully).
struct SQSQueueAddress {
    let url: String
    let name: String

    /// `https://<host>/<12-digit account>/<name>`, the host an AWS SQS host.
    init?(url text: String) {
        let parts = text.dropFirst("https://".count).split(separator: "/", omittingEmptySubsequences: false)
        guard text.hasPrefix("https://"), parts.count == 3, Self.isSQSHost(parts[0]), Self.isAccount(parts[1]),
            Self.isQueueName(parts[2])
        else { return nil }
        url = text
        name = String(parts[2])
    }

    /// `arn:<partition>:sqs:<region>:<account>:<name>`, as the standard URL of that queue.
    init?(arn: String) {
        let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[1].hasPrefix("aws"), parts[2] == "sqs", !parts[3].isEmpty,
            parts[3].allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") })
        else { return nil }
        let suffix = parts[1] == "aws-cn" ? ".cn" : ""
        self.init(url: "https://sqs.\(parts[3]).amazonaws.com\(suffix)/\(parts[4])/\(parts[5])")
    }

    static func isSQSHost(_ host: Substring) -> Bool {
        let host = host.lowercased()
        return (host.hasPrefix("sqs.") || host.contains(".queue.") || host.hasPrefix("queue."))
            && (host.hasSuffix(".amazonaws.com") || host.hasSuffix(".amazonaws.com.cn") || host.hasSuffix(".api.aws"))
    }

    static func isAccount(_ text: Substring) -> Bool { text.count == 12 && text.allSatisfy { $0.isASCII && $0.isNumber } }

    static func isQueueName(_ name: Substring) -> Bool {
        let base = name.hasSuffix(".fifo") ? name.dropLast(5) : name
        return !base.isEmpty && name.count <= 80
            && base.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}

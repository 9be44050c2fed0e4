import FoundationEssentials
import StarfleetCore
import StarfleetCrypto
import StarfleetWorkerKit
import StarfleetWorkers

/// What a Lambda handler receives for one payload, and the client context that carries Starfleet's facts.
enum LambdaEvent {
    /// The event for `shape`: the payload itself, or one SQS record as an SQS-triggered function sees it.
    static func make(
        _ invocation: WorkerInvocation, shape: EventShape, region: String, template: String?,
        sentAt: Date
    ) -> [UInt8] {
        guard shape == .sqs else { return invocation.body }
        let body = String(decoding: invocation.body, as: UTF8.self)
        let address = PayloadAddress(account: invocation.account, region: invocation.region, template: template)
        let attributes = address.attributes.mapValues { ["stringValue": $0, "dataType": "String"] }
        let millis = String(Int64(sentAt.timeIntervalSince1970 * 1000))
        var out: [UInt8] = []
        out.append(contentsOf: #"{"Records":[{"messageId":"#.utf8)
        appendJSONString(invocation.messageId, to: &out)
        out.append(contentsOf: #","receiptHandle":"#.utf8)
        appendJSONString("starfleetd-\(invocation.messageId)-\(invocation.receiveCount)", to: &out)
        out.append(contentsOf: #","body":"#.utf8)
        appendJSONString(body, to: &out)
        out.append(contentsOf: #","attributes":{"ApproximateReceiveCount":"#.utf8)
        appendJSONString(String(invocation.receiveCount), to: &out)
        out.append(contentsOf: #","SentTimestamp":"#.utf8)
        appendJSONString(millis, to: &out)
        out.append(contentsOf: #","SenderId":"starfleetd","ApproximateFirstReceiveTimestamp":"#.utf8)
        appendJSONString(millis, to: &out)
        // Lambda passes the message's X-Ray header on in the record, as SQS's AWSTraceHeader system attribute.
        if let trace = invocation.traceHeader {
            out.append(contentsOf: #","AWSTraceHeader":"#.utf8)
            appendJSONString(trace, to: &out)
        }
        out.append(contentsOf: #"},"messageAttributes":{"#.utf8)
        for (i, (name, value)) in attributes.sorted(by: { $0.key < $1.key }).enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendJSONString(name, to: &out)
            out.append(contentsOf: #":{"stringValue":"#.utf8)
            appendJSONString(value["stringValue"] ?? "", to: &out)
            out.append(contentsOf: #","stringListValues":[],"binaryListValues":[],"dataType":"String"}"#.utf8)
        }
        out.append(contentsOf: #"},"md5OfBody":"#.utf8)
        appendJSONString(Digest.md5Hex(invocation.body), to: &out)
        out.append(contentsOf: #","eventSource":"aws:sqs","eventSourceARN":"#.utf8)
        appendJSONString("arn:aws:sqs:\(region):000000000000:\(invocation.worker)", to: &out)
        out.append(contentsOf: #","awsRegion":"#.utf8)
        appendJSONString(region, to: &out)
        out.append(contentsOf: "}]}".utf8)
        return out
    }

    /// `Lambda-Runtime-Client-Context`: `{"client": null, "env": null, "custom": {"StarfleetWorker": …}}`.
    static func clientContext(_ invocation: WorkerInvocation, template: String?) -> String {
        var custom = PayloadAddress(account: invocation.account, region: invocation.region, template: template).attributes
        custom.merge([
            "StarfleetWorker": invocation.worker, "StarfleetCommit": invocation.commit ? "true" : "false",
            "StarfleetMessageId": invocation.messageId, "StarfleetReceiveCount": String(invocation.receiveCount),
        ]) { _, fixed in fixed }
        var out: [UInt8] = Array(#"{"client":null,"env":null,"custom":{"#.utf8)
        for (i, (key, value)) in custom.sorted(by: { $0.key < $1.key }).enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendJSONString(key, to: &out)
            out.append(UInt8(ascii: ":"))
            appendJSONString(value, to: &out)
        }
        out.append(contentsOf: "}}".utf8)
        return String(decoding: out, as: UTF8.self)
    }
}

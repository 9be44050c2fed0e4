import FoundationEssentials
import StarfleetCore
import StarfleetCrypto
import StarfleetDaemon
import StarfleetWorkerKit

extension LambdaEvent {
    /// The event of Lambda's SQS trigger for `batch`: `{"Records": [...]}` with one record per message, each with its
    /// own messageId, receiptHandle, body, attributes (receive count, sent and first-receive times), messageAttributes
    /// and md5OfBody, as AWS's SQS event (and Powertools' `SQSEvent`) has them.
    static func sqsBatch(_ batch: [SQSBatchRecord], region: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(batch.reduce(64) { $0 + $1.invocation.body.count + 768 })
        out.append(contentsOf: #"{"Records":["#.utf8)
        for (i, record) in batch.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendRecord(record, region: region, to: &out)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    private static func appendRecord(_ record: SQSBatchRecord, region: String, to out: inout [UInt8]) {
        let invocation = record.invocation
        out.append(contentsOf: #"{"messageId":"#.utf8)
        appendJSONString(invocation.messageId, to: &out)
        out.append(contentsOf: #","receiptHandle":"#.utf8)
        appendJSONString(record.receiptHandle, to: &out)
        out.append(contentsOf: #","body":"#.utf8)
        appendJSONString(String(decoding: invocation.body, as: UTF8.self), to: &out)
        out.append(contentsOf: #","attributes":{"ApproximateReceiveCount":"#.utf8)
        appendJSONString(String(invocation.receiveCount), to: &out)
        out.append(contentsOf: #","SentTimestamp":"#.utf8)
        appendJSONString(epochMilliseconds(record.sentTimestamp), to: &out)
        out.append(contentsOf: #","SenderId":"starfleetd","ApproximateFirstReceiveTimestamp":"#.utf8)
        appendJSONString(epochMilliseconds(record.firstReceiveTimestamp), to: &out)
        // The message's X-Ray header is SQS's AWSTraceHeader system attribute, not one of its message attributes.
        if let trace = invocation.traceHeader {
            out.append(contentsOf: #","AWSTraceHeader":"#.utf8)
            appendJSONString(trace, to: &out)
        }
        out.append(contentsOf: #"},"messageAttributes":{"#.utf8)
        // The daemon's own bookkeeping (the trace, the fan-out event's id) is not the sender's message attributes.
        let daemonOwn: Set<String> = [TraceHeader.attribute, TraceHeader.traceparentAttribute, FanOutEvent.attribute]
        for (i, (name, value)) in record.attributes.filter({ !daemonOwn.contains($0.key) }).sorted(by: { $0.key < $1.key })
            .enumerated()
        {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendJSONString(name, to: &out)
            out.append(contentsOf: #":{"stringValue":"#.utf8)
            appendJSONString(value, to: &out)
            out.append(contentsOf: #","stringListValues":[],"binaryListValues":[],"dataType":"String"}"#.utf8)
        }
        out.append(contentsOf: #"},"md5OfBody":"#.utf8)
        appendJSONString(Digest.md5Hex(invocation.body), to: &out)
        out.append(contentsOf: #","eventSource":"aws:sqs","eventSourceARN":"#.utf8)
        appendJSONString("arn:aws:sqs:\(region):000000000000:\(invocation.worker)", to: &out)
        out.append(contentsOf: #","awsRegion":"#.utf8)
        appendJSONString(region, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    private static func epochMilliseconds(_ date: Date) -> String { String(Int64(date.timeIntervalSince1970 * 1000)) }

    /// A batch's client context: a single record's facts as for one payload; a batch's are in its records.
    static func clientContext(batch: [SQSBatchRecord]) -> String {
        if batch.count == 1, let only = batch.first {
            return clientContext(only.invocation, template: only.invocation.template)
        }
        let commit = batch.first?.invocation.commit == true ? "true" : "false"
        var out: [UInt8] = Array(#"{"client":null,"env":null,"custom":{"StarfleetCommit":"#.utf8)
        appendJSONString(commit, to: &out)
        out.append(contentsOf: #","StarfleetWorker":"#.utf8)
        appendJSONString(batch.first?.invocation.worker ?? "", to: &out)
        out.append(contentsOf: "}}".utf8)
        return String(decoding: out, as: UTF8.self)
    }
}

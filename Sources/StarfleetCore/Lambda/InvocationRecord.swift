package import FoundationEssentials

/// The invocation record Lambda sends to an asynchronous invocation's destination, field for field: version "1.0", the
/// time, `requestContext` {requestId, functionArn, condition, approximateInvokeCount}, `requestPayload` (the event),
/// `responseContext` {statusCode, executedVersion, functionError} and `responsePayload` (the function's result or
/// error document).
package struct InvocationRecord: Sendable, Equatable {
    package var timestamp: Date
    package var requestId: String
    /// `arn:aws:lambda:<region>:<account>:function:<name>:$LATEST`.
    package var functionArn: String
    package var condition: AsyncInvocationCondition
    package var approximateInvokeCount: Int
    package var requestPayload: [UInt8]
    /// `Unhandled` for a function error; nil on success (Lambda leaves the key out).
    package var functionError: String?
    /// The result, or the error document; nil when no attempt ran (JSON null).
    package var responsePayload: [UInt8]?

    package init(
        timestamp: Date, requestId: String, functionArn: String, condition: AsyncInvocationCondition,
        approximateInvokeCount: Int, requestPayload: [UInt8], functionError: String?, responsePayload: [UInt8]?
    ) {
        self.timestamp = timestamp
        self.requestId = requestId
        self.functionArn = functionArn
        self.condition = condition
        self.approximateInvokeCount = approximateInvokeCount
        self.requestPayload = requestPayload
        self.functionError = functionError
        self.responsePayload = responsePayload
    }

    /// The account function ARNs name (the one the Runtime API gives as `invoked_function_arn`).
    package static let defaultAccount = "000000000000"

    /// A worker's function ARN as the daemon names it (the account is the one `invoked_function_arn` shows).
    package static func functionArn(region: String, account: String, worker: String) -> String {
        "arn:aws:lambda:\(region):\(account):function:\(worker):$LATEST"
    }

    /// The record as JSON. Payloads that are JSON go in as they are; anything else (a handler's plain-text output) as
    /// a JSON string, so the record is always one valid JSON document.
    package func json() -> [UInt8] {
        var out: [UInt8] = Array(#"{"version":"1.0","timestamp":"#.utf8)
        appendJSONString(Self.timestampText(timestamp), to: &out)
        out.append(contentsOf: #","requestContext":{"requestId":"#.utf8)
        appendJSONString(requestId, to: &out)
        out.append(contentsOf: #","functionArn":"#.utf8)
        appendJSONString(functionArn, to: &out)
        out.append(contentsOf: #","condition":"#.utf8)
        appendJSONString(condition.rawValue, to: &out)
        out.append(contentsOf: #","approximateInvokeCount":\#(approximateInvokeCount)},"requestPayload":"#.utf8)
        Self.appendPayload(requestPayload, to: &out)
        out.append(contentsOf: #","responseContext":{"statusCode":200,"executedVersion":"$LATEST""#.utf8)
        if let functionError {
            out.append(contentsOf: #","functionError":"#.utf8)
            appendJSONString(functionError, to: &out)
        }
        out.append(contentsOf: #"},"responsePayload":"#.utf8)
        if let responsePayload {
            Self.appendPayload(responsePayload, to: &out)
        } else {
            out.append(contentsOf: "null".utf8)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// A function error as the record's `responsePayload` carries it: `{"errorMessage", "errorType"}`.
    package static func errorDocument(message: String, type: String?) -> [UInt8] {
        var out: [UInt8] = Array(#"{"errorMessage":"#.utf8)
        appendJSONString(message, to: &out)
        if let type {
            out.append(contentsOf: #","errorType":"#.utf8)
            appendJSONString(type, to: &out)
        }
        out.append(UInt8(ascii: "}"))
        return out
    }

    /// `2019-11-14T18:16:05.568Z`: UTC, milliseconds.
    package static func timestampText(_ date: Date) -> String {
        let millis = Int((date.timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = floorDiv(millis, 1000)
        let day = CivilDate(daysSinceEpoch: floorDiv(seconds, 86_400))
        let second = floorMod(seconds, 86_400)
        func pad(_ n: Int, _ width: Int) -> String {
            let s = String(n)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        return
            "\(day)T\(pad(second / 3600, 2)):\(pad(second / 60 % 60, 2)):\(pad(second % 60, 2)).\(pad(floorMod(millis, 1000), 3))Z"
    }

    static func appendPayload(_ payload: [UInt8], to out: inout [UInt8]) {
        if isJSON(payload) {
            out.append(contentsOf: payload)
        } else {
            appendJSONString(String(decoding: payload, as: UTF8.self), to: &out)
        }
    }

    /// Whether `bytes` are one JSON value (any type, surrounding whitespace allowed).
    static func isJSON(_ bytes: [UInt8]) -> Bool {
        guard bytes.contains(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else { return false }
        return (try? JSONDecoder().decode(JSONProbe.self, from: Data(bytes))) != nil
    }

    /// Decodes any JSON value and keeps nothing: a validity check.
    private struct JSONProbe: Decodable {
        init(from decoder: any Decoder) throws {
            if var array = try? decoder.unkeyedContainer() {
                while !array.isAtEnd { _ = try array.decode(JSONProbe.self) }
            } else if let object = try? decoder.container(keyedBy: AnyKey.self) {
                for key in object.allKeys { _ = try object.decode(JSONProbe.self, forKey: key) }
            } else {
                let single = try decoder.singleValueContainer()
                if single.decodeNil() { return }
                if (try? single.decode(Bool.self)) != nil { return }
                if (try? single.decode(Double.self)) != nil { return }
                _ = try single.decode(String.self)
            }
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

import FoundationEssentials

/// A message on the Starbase's fan-out queue, in Starfleet's shapes: the timed event's
/// `{"worker_ship": NAME, "template_prefix": KEY}` and S3's `ObjectCreated` notification.
package enum StarbaseMessage: Sendable, Hashable {
    /// Part 2 of a timed event: fan out this worker's template.
    case timed(worker: String, templateKey: String)
    /// A template was created or changed ("S3 event"): route the key to its worker.
    case templateChanged(bucket: String, key: String)

    /// The JSON body, byte-compatible in meaning with what Starfleet's queue carried.
    package var body: String {
        var out: [UInt8] = []
        switch self {
        case .timed(let worker, let key):
            out += Array(#"{"worker_ship":"#.utf8)
            appendJSONString(worker, to: &out)
            out += Array(#","template_prefix":"#.utf8)
            appendJSONString(key, to: &out)
            out += Array("}".utf8)
        case .templateChanged(let bucket, let key):
            out += Array(
                #"{"Records":[{"eventVersion":"2.1","eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"#
                    .utf8)
            appendJSONString(bucket, to: &out)
            out += Array(#"},"object":{"key":"#.utf8)
            appendJSONString(S3Key.formEncode(key), to: &out)
            out += Array("}}}]}".utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// What a fan-out message body means. Starfleet's dispatch: `worker_ship` first, then `Records` with an `s3`
    /// record; anything else is not for the Starbase (logged and dropped, as Starfleet does).
    package enum Parsed: Sendable, Hashable {
        case messages([StarbaseMessage])
        /// Not a Starbase message; the text says what was wrong.
        case unsupported(String)
    }

    private struct Wire: Decodable {
        struct Record: Decodable {
            struct S3: Decodable {
                struct Named: Decodable { var name: String? }
                struct Object: Decodable { var key: String? }
                var bucket: Named?
                var object: Object?
            }
            var s3: S3?
        }
        var worker_ship: String?
        var template_prefix: String?
        var Records: [Record]?
    }

    package static func parse(_ body: String) -> Parsed {
        guard let wire = try? JSONDecoder().decode(Wire.self, from: Data(body.utf8)) else {
            return .unsupported("the body is not a JSON object of a known shape")
        }
        if let worker = wire.worker_ship, !worker.isEmpty {
            guard let key = wire.template_prefix else { return .unsupported("worker_ship without template_prefix") }
            return .messages([.timed(worker: worker, templateKey: key)])
        }
        guard let records = wire.Records else { return .unsupported("neither worker_ship nor Records") }
        let messages = records.compactMap { record -> StarbaseMessage? in
            guard let bucket = record.s3?.bucket?.name, let key = record.s3?.object?.key else { return nil }
            return .templateChanged(bucket: bucket, key: S3Key.formDecode(key))
        }
        return messages.isEmpty ? .unsupported("no S3 record in Records") : .messages(messages)
    }
}

/// S3 event notifications carry object keys form-encoded (spaces as `+`); Starfleet decodes them with unquote_plus.
package enum S3Key {
    package static func formEncode(_ key: String) -> String {
        var out = ""
        for byte in key.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "/"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: " "): out += "+"
            default:
                let hex = Array("0123456789ABCDEF")
                out += "%" + String(hex[Int(byte >> 4)]) + String(hex[Int(byte & 0xF)])
            }
        }
        return out
    }

    package static func formDecode(_ text: String) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let b = iterator.next() {
            if b == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else if b == UInt8(ascii: "%"), let h = iterator.next(), let l = iterator.next(),
                let v = UInt8(String(decoding: [h, l], as: UTF8.self), radix: 16)
            {
                bytes.append(v)
            } else {
                bytes.append(b)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

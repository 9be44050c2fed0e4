import Logging
import StarfleetAWS
import StarfleetCore
import StarfleetCrypto

/// One pass over the template bucket: list every S3-sourced worker's `TemplatePrefix`, compare each `.yaml` key's
/// ETag with the acknowledged one, get the new or changed ones and hand them to `fire` (the Starbase's S3 event).
/// A key is acknowledged — its ETag kept in the returned set — only once `fire` returned, so anything that fails
/// (listing, GetObject, the enqueue) is tried again by the next pass. Deleted keys leave the set (Starfleet fires
/// on creation only, so a deletion fires nothing, but a later re-upload fires again).
///
/// The event id comes from the object's revision (``S3Revision``), the same on every host, so FIFO deduplication
/// makes hosts polling one bucket fan a change out once; the shared ``TemplateFanOutLedger`` covers a host that
/// sees the change after SQS's 5-minute deduplication window.
struct S3TemplatePoller: Sendable {
    /// What one pass did.
    struct Outcome: Sendable, Equatable {
        /// The acknowledged ETag of every key, to persist.
        var etags: [String: String]
        /// Keys handed to `fire`, in key order.
        var fired: [String] = []
        /// Changed keys whose revision the ledger says another host (or this one, before) already fanned out.
        var alreadyFannedOut: [String] = []
        /// Keys refused (over the size limit); acknowledged so they are reported once per ETag.
        var rejected: [String] = []
        /// Keys under a prefix that are not templates (not `.yaml`); logged and acknowledged, once per ETag.
        var skipped: [String] = []
        /// One sentence per failed call; empty when the pass went through.
        var errors: [String] = []
        /// Failed calls by operation (`list`, `get`, `enqueue`), for the metric.
        var failures: [String: Int] = [:]
    }

    /// A template must fit in a queue message, as in the template directory.
    static let maxTemplateBytes = 1_048_576

    let bucket: any TemplateBucketReader
    /// The distinct TemplatePrefixes of the enabled workers with the S3 invocation source.
    let prefixes: [String]
    let logger: Logger
    /// The fleet's record of what was fanned out (nil: FIFO deduplication alone).
    let ledger: (any TemplateFanOutLedger)?
    /// This host's name, written into the ledger.
    let host: String

    init(
        bucket: any TemplateBucketReader, prefixes: [String], logger: Logger, ledger: (any TemplateFanOutLedger)? = nil,
        host: String = ""
    ) {
        self.bucket = bucket
        self.ledger = ledger
        self.host = host
        var distinct: [String] = []
        for prefix in prefixes where !distinct.contains(prefix) { distinct.append(prefix) }
        self.prefixes = distinct
        self.logger = logger
    }

    /// Whether `key` is a template of the worker with this prefix (Starfleet: a `.yaml` prefix names one key).
    static func covers(_ prefix: String, _ key: String) -> Bool {
        guard !key.hasPrefix(S3TemplateFanOutLedger.prefix) else { return false }
        return prefix.hasSuffix(".yaml") ? key == prefix : key.hasPrefix(prefix) && key.hasSuffix(".yaml")
    }

    func poll(seen: [String: String], fire: (_ key: String, _ event: FanOutEvent) async throws -> Void) async -> Outcome {
        var outcome = Outcome(etags: [:])
        func failed(_ operation: String, _ sentence: String) {
            outcome.errors.append(sentence)
            outcome.failures[operation, default: 0] += 1
        }
        var listed: [String: S3Object] = [:]
        var unlisted: [String] = []
        for prefix in prefixes {
            do {
                for object in try await bucket.list(prefix: prefix) {
                    if Self.covers(prefix, object.key) {
                        listed[object.key] = object
                    } else if Self.isSkippable(prefix, object.key), seen[object.key] != object.etag {
                        skip(object, into: &outcome)
                    } else if Self.isSkippable(prefix, object.key) {
                        outcome.etags[object.key] = object.etag
                    }
                }
            } catch {
                unlisted.append(prefix)
                failed("list", "cannot list s3://\(bucket.name)/\(prefix): \(error)")
            }
        }
        // What could not be listed keeps its acknowledged state: an outage is not a deletion.
        for (key, etag) in seen where unlisted.contains(where: { Self.covers($0, key) || Self.isSkippable($0, key) }) {
            outcome.etags[key] = etag
        }

        for key in listed.keys.sorted() {
            guard let object = listed[key] else { continue }
            if seen[key] == object.etag {
                outcome.etags[key] = object.etag
                continue
            }
            func keep() { if let old = seen[key] { outcome.etags[key] = old } }
            // Stopping: what is left keeps its old acknowledgement and is looked at again after the restart.
            if Task.isCancelled {
                keep()
                continue
            }
            guard object.size <= Int64(Self.maxTemplateBytes) else {
                reject(key, size: Int(object.size), etag: object.etag, into: &outcome)
                continue
            }
            let got: S3ObjectData
            do {
                got = try await bucket.get(key: key)
            } catch {
                keep()
                failed("get", "cannot get s3://\(bucket.name)/\(key): \(error)")
                continue
            }
            // The ETag that goes with the bytes fired: a change between listing and getting is not lost.
            let etag = got.etag.isEmpty ? object.etag : got.etag
            guard got.bytes.count <= Self.maxTemplateBytes else {
                reject(key, size: got.bytes.count, etag: etag, into: &outcome)
                continue
            }
            let event = FanOutEvent.bucketTemplate(
                bucket: bucket.name, key: key,
                revision: S3Revision(etag: etag, versionId: got.versionId, lastModified: got.lastModified),
                sha256: Digest.sha256Hex(got.bytes))
            if await ledgerHas(event, key: key) {
                outcome.etags[key] = etag
                outcome.alreadyFannedOut.append(key)
                continue
            }
            do {
                try await fire(key, event)
                outcome.etags[key] = etag
                outcome.fired.append(key)
            } catch {
                keep()
                failed("enqueue", "cannot queue the S3 event for \(key): \(error)")
                continue
            }
            await record(event, key: key)
        }
        return outcome
    }

    /// Whether the fleet's ledger already holds this revision of `key`. A ledger that cannot be read does not stop the
    /// fan-out: a second run beats a missed one (FIFO deduplication still covers the first 5 minutes).
    private func ledgerHas(_ event: FanOutEvent, key: String) async -> Bool {
        guard let ledger else { return false }
        do {
            guard try await ledger.lastEventID(for: key) == event.id else { return false }
            logger.info(
                "[🪣] This template revision was already fanned out by the fleet; not again.",
                metadata: ["template": "\(key)", "event": "\(event.id)"])
            return true
        } catch {
            logger.warning(
                "cannot read the fleet's fan-out record of \(key); fanning out (FIFO deduplication still applies): \(error)",
                metadata: ["template": "\(key)"])
            return false
        }
    }

    /// Writes the ledger after the event is durable in the Starbase queue; a failure is logged, not retried: the
    /// event is queued, and only a host that sees it more than 5 minutes late would fan it out again.
    private func record(_ event: FanOutEvent, key: String) async {
        guard let ledger else { return }
        do {
            try await ledger.record(key: key, eventID: event.id, host: host)
        } catch {
            logger.warning(
                "cannot write the fleet's fan-out record of \(key) (s3:PutObject on \(S3TemplateFanOutLedger.prefix)*?): \(error)",
                metadata: ["template": "\(key)"])
        }
    }

    /// A key a listing returns that is not a template: under a folder prefix and not `.yaml` (Starfleet processes
    /// only `.yaml` keys). Folder markers (`…/`) are not worth a line.
    static func isSkippable(_ prefix: String, _ key: String) -> Bool {
        !key.hasPrefix(S3TemplateFanOutLedger.prefix) && !prefix.hasSuffix(".yaml") && key.hasPrefix(prefix)
            && !key.hasSuffix(".yaml") && !key.hasSuffix("/")
    }

    /// Logs a non-template key (Starfleet's words for an S3 event on one) and acknowledges it, so the line comes
    /// once per ETag, not every pass.
    private func skip(_ object: S3Object, into outcome: inout Outcome) {
        logger.warning(
            "[⏭️] s3://\(bucket.name)/\(object.key) is not a recognized template. We only process files that end in `.yaml`. Skipping.",
            metadata: ["template": "\(object.key)"])
        outcome.etags[object.key] = object.etag
        outcome.skipped.append(object.key)
    }

    private func reject(_ key: String, size: Int, etag: String, into outcome: inout Outcome) {
        logger.error(
            "template rejected: s3://\(bucket.name)/\(key) is \(size) bytes, over the \(Self.maxTemplateBytes)-byte template limit; make it smaller",
            metadata: ["template": "\(key)"])
        outcome.etags[key] = etag
        outcome.rejected.append(key)
    }
}

import Foundation
import Logging
import StarfleetCore
import Testing

@testable import StarfleetDaemon

/// Several hosts polling one template bucket: a change gets the same event id on every host (so FIFO deduplication
/// fans it out once), a new PUT is a new event even with the same bytes, and the shared ledger keeps a host that sees
/// the change late from fanning it out again.
@Suite struct S3TemplateFleetEventTests {
    static func host(_ bucket: FakeTemplateBucket, _ ledger: FakeFanOutLedger?, _ name: String) -> S3TemplatePoller {
        S3TemplatePoller(bucket: bucket, prefixes: ["Audit/"], logger: .quiet, ledger: ledger, host: name)
    }

    @Test func twoHostsMakeTheSameEventIdForOneChangeFromTheObjectNotTheirClocks() async {
        let bucket = FakeTemplateBucket()
        bucket.put("Audit/a.yaml", "a: 1")
        let (firedA, firedB) = (FiredEvents(), FiredEvents())
        _ = await Self.host(bucket, nil, "a").poll(seen: [:], fire: firedA.fire)
        _ = await Self.host(bucket, nil, "b").poll(seen: [:], fire: firedB.fire)
        let etag = FakeTemplateBucket.etag(Array("a: 1".utf8))
        let expected = "s3|templates|Audit/a.yaml|e:\(etag)@\(FakeTemplateBucket.lastModified(1))"
        #expect(firedA.ids == [expected])
        #expect(firedB.ids == [expected])
    }

    @Test func aVersionedBucketNamesTheRevisionByItsVersionId() async {
        let bucket = FakeTemplateBucket(versioned: true)
        bucket.put("Audit/a.yaml", "a: 1")
        let fired = FiredEvents()
        _ = await Self.host(bucket, nil, "a").poll(seen: [:], fire: fired.fire)
        #expect(fired.ids == ["s3|templates|Audit/a.yaml|v:version-1"])
    }

    @Test func theSameBytesPutAgainAfterADeletionAreANewEvent() async {
        let bucket = FakeTemplateBucket()
        let ledger = FakeFanOutLedger()
        let poller = Self.host(bucket, ledger, "a")
        let fired = FiredEvents()
        bucket.put("Audit/a.yaml", "a: 1")
        let first = await poller.poll(seen: [:], fire: fired.fire)
        bucket.delete("Audit/a.yaml")
        let deleted = await poller.poll(seen: first.etags, fire: fired.fire)
        #expect(deleted.etags.isEmpty)
        bucket.put("Audit/a.yaml", "a: 1")
        let again = await poller.poll(seen: deleted.etags, fire: fired.fire)
        #expect(again.fired == ["Audit/a.yaml"])
        #expect(fired.ids.count == 2)
        #expect(Set(fired.ids).count == 2)
    }

    @Test func aHostThatSeesAChangeLateDoesNotFanItOutAgainButFansOutTheNextChange() async {
        let bucket = FakeTemplateBucket()
        let ledger = FakeFanOutLedger()
        let (firedA, firedB) = (FiredEvents(), FiredEvents())
        bucket.put("Audit/a.yaml", "a: 1")
        _ = await Self.host(bucket, ledger, "host-a").poll(seen: [:], fire: firedA.fire)
        #expect(ledger.entry("Audit/a.yaml")?.host == "host-a")
        #expect(ledger.entry("Audit/a.yaml")?.event == firedA.ids.first)

        // Host b comes up with no state, long after SQS's deduplication window: it acknowledges, fires nothing.
        let hostB = Self.host(bucket, ledger, "host-b")
        let late = await hostB.poll(seen: [:], fire: firedB.fire)
        #expect(late.alreadyFannedOut == ["Audit/a.yaml"])
        #expect(late.fired.isEmpty)
        #expect(late.etags["Audit/a.yaml"] == FakeTemplateBucket.etag(Array("a: 1".utf8)))
        #expect(firedB.ids.isEmpty)

        bucket.put("Audit/a.yaml", "a: 2")
        let changed = await hostB.poll(seen: late.etags, fire: firedB.fire)
        #expect(changed.fired == ["Audit/a.yaml"])
        #expect(ledger.entry("Audit/a.yaml")?.host == "host-b")
        #expect(ledger.entry("Audit/a.yaml")?.event == firedB.ids.first)
    }

    @Test func anUnreadableLedgerDoesNotStopTheFanOut() async {
        let bucket = FakeTemplateBucket()
        let ledger = FakeFanOutLedger()
        ledger.failReads(true)
        bucket.put("Audit/a.yaml", "a: 1")
        let fired = FiredEvents()
        let outcome = await Self.host(bucket, ledger, "a").poll(seen: [:], fire: fired.fire)
        #expect(outcome.fired == ["Audit/a.yaml"])
        #expect(outcome.errors.isEmpty)
    }

    @Test func theLedgersOwnObjectsAreNeitherTemplatesNorSkippedKeys() async throws {
        let bucket = FakeTemplateBucket()
        bucket.put(".starfleet/fanned-out/x.yaml.json", "{}")
        bucket.put(".starfleet/fanned-out/y.yaml", "a: 1")
        bucket.put("top.yaml", "a: 1")
        let fired = FiredEvents()
        let poller = S3TemplatePoller(bucket: bucket, prefixes: [""], logger: .quiet)
        let outcome = await poller.poll(seen: [:], fire: fired.fire)
        #expect(outcome.fired == ["top.yaml"])
        #expect(outcome.skipped.isEmpty)
        let store = S3TemplateStore(bucket: bucket)
        #expect(try await store.templates(prefix: "") == ["top.yaml"])
    }
}

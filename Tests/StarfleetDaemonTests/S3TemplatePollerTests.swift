import Foundation
import Logging
import StarfleetTestSupport
import Testing

@testable import StarfleetDaemon

/// One poll pass at a time against an in-memory bucket: what fires, what is acknowledged, what is retried.
@Suite struct S3TemplatePollerTests {
    static let logger = Logger.quiet

    static func poller(_ bucket: FakeTemplateBucket, _ prefixes: [String] = ["Audit/"]) -> S3TemplatePoller {
        S3TemplatePoller(bucket: bucket, prefixes: prefixes, logger: logger)
    }

    /// A bucket holding `Audit/a.yaml`, polled once (so `a` is acknowledged).
    static func polledOnce() async -> (FakeTemplateBucket, FiredEvents, S3TemplatePoller, S3TemplatePoller.Outcome) {
        let bucket = FakeTemplateBucket()
        bucket.put("Audit/a.yaml", "a: 1")
        let fired = FiredEvents()
        let poller = Self.poller(bucket)
        return (bucket, fired, poller, await poller.poll(seen: [:], fire: fired.fire))
    }

    @Test func newTemplatesFireOnceAndOnlyYAMLKeysUnderThePrefixCount() async {
        let bucket = FakeTemplateBucket()
        bucket.put("Audit/a.yaml", "a: 1")
        bucket.put("Audit/deep/b.yaml", "b: 1")
        bucket.put("Audit/readme.md", "# no")
        bucket.put("Audit/c.yml", "c: 1")
        bucket.put("Other/x.yaml", "x: 1")
        let fired = FiredEvents()
        let poller = Self.poller(bucket)
        let first = await poller.poll(seen: [:], fire: fired.fire)
        #expect(first.fired == ["Audit/a.yaml", "Audit/deep/b.yaml"])
        #expect(first.errors.isEmpty)
        // Keys that are not templates are acknowledged too (so they are logged once, see below), never fired.
        #expect(Set(first.etags.keys) == ["Audit/a.yaml", "Audit/deep/b.yaml", "Audit/readme.md", "Audit/c.yml"])
        let second = await poller.poll(seen: first.etags, fire: fired.fire)
        #expect(second.fired.isEmpty)
        #expect(second.etags == first.etags)
        #expect(fired.keys == ["Audit/a.yaml", "Audit/deep/b.yaml"])
        // Unchanged keys are not even fetched again.
        #expect(bucket.gets == ["Audit/a.yaml", "Audit/deep/b.yaml"])
    }

    @Test func aKeyThatIsNotATemplateIsLoggedAsSkippedOncePerETag() async {
        let bucket = FakeTemplateBucket()
        bucket.put("Audit/a.yaml", "a: 1")
        bucket.put("Audit/notes.txt", "n")
        bucket.put("Audit/folder/", "")
        let logs = CapturedLogs()
        let poller = S3TemplatePoller(bucket: bucket, prefixes: ["Audit/"], logger: logs.logger)
        let fired = FiredEvents()
        let first = await poller.poll(seen: [:], fire: fired.fire)
        #expect(first.skipped == ["Audit/notes.txt"])
        #expect(first.fired == ["Audit/a.yaml"])
        #expect(logs.text.contains("s3://templates/Audit/notes.txt is not a recognized template"))
        #expect(logs.text.contains("Skipping."))
        #expect(!logs.text.contains("Audit/folder/"))
        // Unchanged: not logged again; changed: logged again.
        let second = await poller.poll(seen: first.etags, fire: fired.fire)
        #expect(second.skipped.isEmpty)
        bucket.put("Audit/notes.txt", "n2")
        let third = await poller.poll(seen: second.etags, fire: fired.fire)
        #expect(third.skipped == ["Audit/notes.txt"])
        #expect(bucket.gets == ["Audit/a.yaml"])
    }

    @Test func aChangedTemplateFiresAgainAndADeletedOneLeavesTheSet() async {
        let bucket = FakeTemplateBucket()
        bucket.put("Audit/a.yaml", "a: 1")
        bucket.put("Audit/b.yaml", "b: 1")
        let fired = FiredEvents()
        let poller = Self.poller(bucket)
        let first = await poller.poll(seen: [:], fire: fired.fire)
        bucket.put("Audit/a.yaml", "a: 2")
        bucket.delete("Audit/b.yaml")
        let second = await poller.poll(seen: first.etags, fire: fired.fire)
        #expect(second.fired == ["Audit/a.yaml"])
        #expect(Set(second.etags.keys) == ["Audit/a.yaml"])
        #expect(second.etags["Audit/a.yaml"] != first.etags["Audit/a.yaml"])
        // Re-uploaded after its deletion, b is new again (S3 would send ObjectCreated).
        bucket.put("Audit/b.yaml", "b: 1")
        let third = await poller.poll(seen: second.etags, fire: fired.fire)
        #expect(third.fired == ["Audit/b.yaml"])
    }

    @Test func aPrefixThatIsAYAMLKeyMatchesOnlyThatKeyAndOverlappingPrefixesListOnce() async {
        let bucket = FakeTemplateBucket()
        bucket.put("Index/Save.yaml", "s: 1")
        bucket.put("Index/Save.yaml.bak.yaml", "s: 0")
        bucket.put("Audit/a.yaml", "a: 1")
        let fired = FiredEvents()
        let poller = Self.poller(bucket, ["Index/Save.yaml", "Audit/", "Audit/"])
        #expect(poller.prefixes == ["Index/Save.yaml", "Audit/"])
        let outcome = await poller.poll(seen: [:], fire: fired.fire)
        #expect(outcome.fired == ["Audit/a.yaml", "Index/Save.yaml"])
        #expect(bucket.lists == 2)
    }

    @Test func aFailedEnqueueIsNotAcknowledgedAndTheNextPassRetriesIt() async {
        let bucket = FakeTemplateBucket()
        bucket.put("Audit/a.yaml", "a: 1")
        let fired = FiredEvents()
        let poller = Self.poller(bucket)
        fired.failing(true)
        let failed = await poller.poll(seen: [:], fire: fired.fire)
        #expect(failed.fired.isEmpty)
        #expect(failed.etags.isEmpty)
        #expect(failed.failures == ["enqueue": 1])
        fired.failing(false)
        let retried = await poller.poll(seen: failed.etags, fire: fired.fire)
        #expect(retried.fired == ["Audit/a.yaml"])
        #expect(retried.errors.isEmpty)
    }

    @Test func aFailedGetKeepsTheOldAcknowledgementAndIsRetried() async {
        let (bucket, fired, poller, first) = await Self.polledOnce()
        bucket.put("Audit/a.yaml", "a: 2")
        bucket.failGet("Audit/a.yaml")
        let failed = await poller.poll(seen: first.etags, fire: fired.fire)
        #expect(failed.fired.isEmpty)
        #expect(failed.etags == first.etags)
        #expect(failed.failures == ["get": 1])
        bucket.failGet("Audit/a.yaml", false)
        let retried = await poller.poll(seen: failed.etags, fire: fired.fire)
        #expect(retried.fired == ["Audit/a.yaml"])
        #expect(fired.keys == ["Audit/a.yaml", "Audit/a.yaml"])
    }

    @Test func anUnlistablePrefixIsAnOutageNotADeletionAndOtherPrefixesGoOn() async {
        let bucket = FakeTemplateBucket()
        bucket.put("Audit/a.yaml", "a: 1")
        bucket.put("Other/o.yaml", "o: 1")
        let fired = FiredEvents()
        let poller = Self.poller(bucket, ["Audit/", "Other/"])
        let first = await poller.poll(seen: [:], fire: fired.fire)
        bucket.failList("Audit/")
        bucket.put("Other/p.yaml", "p: 1")
        let during = await poller.poll(seen: first.etags, fire: fired.fire)
        #expect(during.fired == ["Other/p.yaml"])
        #expect(during.etags["Audit/a.yaml"] == first.etags["Audit/a.yaml"])
        #expect(during.failures == ["list": 1])
        #expect(during.errors.count == 1 && during.errors[0].contains("s3://templates/Audit/"))
        bucket.failList("Audit/", false)
        let after = await poller.poll(seen: during.etags, fire: fired.fire)
        #expect(after.fired.isEmpty)
        #expect(after.errors.isEmpty)
    }

    @Test func aCancelledPassFiresNothingMoreAndKeepsTheOldAcknowledgements() async {
        let (bucket, fired, poller, first) = await Self.polledOnce()
        bucket.put("Audit/a.yaml", "a: 2")
        bucket.put("Audit/b.yaml", "b: 1")
        // The pass runs in a task that is already cancelled (a stop), deterministically.
        let cancelled = await Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await poller.poll(seen: first.etags, fire: fired.fire)
        }.value
        #expect(cancelled.fired.isEmpty)
        #expect(cancelled.etags == first.etags)
        #expect(fired.keys == ["Audit/a.yaml"])
    }

    @Test func anOversizedTemplateIsRejectedOncePerETag() async {
        let bucket = FakeTemplateBucket()
        bucket.put("Audit/huge.yaml", bytes: [UInt8](repeating: UInt8(ascii: "#"), count: S3TemplatePoller.maxTemplateBytes + 1))
        let fired = FiredEvents()
        let poller = Self.poller(bucket)
        let first = await poller.poll(seen: [:], fire: fired.fire)
        #expect(first.rejected == ["Audit/huge.yaml"])
        #expect(first.fired.isEmpty)
        #expect(bucket.gets.isEmpty)
        let second = await poller.poll(seen: first.etags, fire: fired.fire)
        #expect(second.rejected.isEmpty)
        bucket.put("Audit/huge.yaml", "small: now")
        let third = await poller.poll(seen: second.etags, fire: fired.fire)
        #expect(third.fired == ["Audit/huge.yaml"])
    }

    @Test func backoffDoublesFromTwiceTheIntervalUpToFiveMinutes() {
        #expect(S3TemplatePollLoop.delay(interval: 5, failures: 0, unit: 0.7) == 5)
        #expect(S3TemplatePollLoop.delay(interval: 5, failures: 1, unit: 0) == 5)
        #expect(S3TemplatePollLoop.delay(interval: 5, failures: 1, unit: 1) == 10)
        #expect(S3TemplatePollLoop.delay(interval: 5, failures: 3, unit: 1) == 40)
        #expect(S3TemplatePollLoop.delay(interval: 5, failures: 30, unit: 1) == 300)
        #expect(S3TemplatePollLoop.delay(interval: 5, failures: 30, unit: 0) == 150)
        // An interval longer than the cap is never shortened by a failure.
        #expect(S3TemplatePollLoop.delay(interval: 900, failures: 4, unit: 1) == 900)
    }
}

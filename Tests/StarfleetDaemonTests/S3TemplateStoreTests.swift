import Testing

@testable import StarfleetAWS
@testable import StarfleetDaemon

/// Timed events and the Starbase read templates from the bucket as Starfleet does (`list_worker_ship_templates`,
/// `fetch_template`).
@Suite struct S3TemplateStoreTests {
    @Test func listsYAMLKeysRecursivelyAndTakesAYAMLPrefixAsItIs() async throws {
        let bucket = FakeTemplateBucket()
        bucket.put("Audit/a.yaml", "a: 1")
        bucket.put("Audit/deep/b.yaml", "b: 1")
        bucket.put("Audit/c.YAML", "c: 1")
        bucket.put("Audit/notes.txt", "n")
        let store = S3TemplateStore(bucket: bucket)
        #expect(try await store.templates(prefix: "Audit/") == ["Audit/a.yaml", "Audit/deep/b.yaml"])
        #expect(try await store.templates(prefix: "Index/Missing.yaml") == ["Index/Missing.yaml"])
        #expect(bucket.lists == 1)
        #expect(try await store.read(key: "Audit/a.yaml") == Array("a: 1".utf8))
    }

    @Test func failuresNameTheBucketAndKey() async {
        let bucket = FakeTemplateBucket()
        bucket.failList("Audit/")
        let store = S3TemplateStore(bucket: bucket)
        do {
            _ = try await store.templates(prefix: "Audit/")
            Issue.record("a failed listing returned templates")
        } catch {
            #expect("\(error)".contains("s3://templates/Audit/"))
        }
        do {
            _ = try await store.read(key: "Audit/gone.yaml")
            Issue.record("a missing key was read")
        } catch {
            #expect("\(error)".contains("s3://templates/Audit/gone.yaml"))
            #expect("\(error)".contains("was not found in S3"))
            #expect((error as? TemplateStoreError)?.kind == .notFound)
        }
    }

    /// A missing bucket is a configuration error of its own, not a missing key: the Starbase dead-letters the
    /// event at once instead of retrying it as if the template might still appear.
    @Test func aMissingBucketIsItsOwnError() async {
        let bucket = FakeTemplateBucket()
        bucket.put("Audit/a.yaml", "a: 1")
        bucket.removeBucket()
        let store = S3TemplateStore(bucket: bucket)
        for attempt in [{ _ = try await store.read(key: "Audit/a.yaml") }, { _ = try await store.templates(prefix: "Audit/") }] {
            do {
                try await attempt()
                Issue.record("a missing bucket was read")
            } catch {
                let failure = error as? TemplateStoreError
                #expect(failure?.kind == .noSuchBucket)
                #expect(failure?.message.contains("the template bucket templates does not exist (NoSuchBucket)") == true)
                #expect(failure?.message.contains("not found in S3") == false)
            }
        }
    }
}

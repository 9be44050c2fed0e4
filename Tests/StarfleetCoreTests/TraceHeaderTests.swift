import Foundation
import Testing

@testable import StarfleetCore

/// X-Ray trace headers as Lambda writes them, and a W3C traceparent mapped as X-Ray maps it.
@Suite struct TraceHeaderTests {
    /// A fixed sequence, so a generated id can be compared exactly.
    struct Counting: RandomNumberGenerator {
        var value: UInt64 = 0x0123_4567_89AB_CDEF
        mutating func next() -> UInt64 {
            defer { value &+= 0x1111_1111_1111_1111 }
            return value
        }
    }

    @Test func aNewRootIsVersionOneTheEpochSecondsInHexAnd24RandomHexDigits() {
        var random = Counting()
        let header = TraceHeader.newRoot(epochSeconds: 0x5759_E988, using: &random)
        #expect(header.root == "1-5759e988-89abcdef123456789abcdf00")
        #expect(TraceHeader.isRoot(header.root))
        #expect(header.text == "Root=1-5759e988-89abcdef123456789abcdf00;Sampled=0")
    }

    @Test func eachChildKeepsTheRootAndGetsItsOwnParent() {
        var random = Counting()
        let root = TraceHeader.newRoot(epochSeconds: 1_700_000_000, using: &random)
        let first = root.child(using: &random)
        let second = root.child(using: &random)
        #expect(first.root == root.root && second.root == root.root)
        #expect(first.parent != second.parent)
        #expect(first.text == "Root=\(root.root);Parent=\(first.parent!);Sampled=0")
        #expect(first.parent?.utf8.count == 16)
    }

    @Test func parsingKeepsRootParentAndSampledAndDropsTheRest() {
        let header = TraceHeader.parse("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1;Lineage=a:1")
        #expect(header == TraceHeader(root: "1-5759e988-bd862e3fe1be46a994272793", parent: "53995c3f42cd8ad8", sampled: "1"))
        #expect(TraceHeader.parse(header!.text) == header)
        // Spaces after the separators, as some clients write them.
        #expect(TraceHeader.parse("Root=1-5759e988-bd862e3fe1be46a994272793; Sampled=0")?.root != nil)
    }

    @Test func aHeaderWithoutAWellFormedRootIsRefusedAndABadParentDropped() {
        #expect(TraceHeader.parse("") == nil)
        #expect(TraceHeader.parse("Parent=53995c3f42cd8ad8") == nil)
        #expect(TraceHeader.parse("Root=2-5759e988-bd862e3fe1be46a994272793") == nil)
        #expect(TraceHeader.parse("Root=1-5759e98-bd862e3fe1be46a994272793") == nil)
        #expect(TraceHeader.parse("Root=1-5759E988-BD862E3FE1BE46A994272793") == nil)
        #expect(TraceHeader.parse("Root=1-5759e988-bd862e3fe1be46a99427279z") == nil)
        #expect(TraceHeader.parse(String(repeating: "Root=", count: 100)) == nil)
        let header = TraceHeader.parse("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=xyz;Sampled=7")
        #expect(header?.parent == nil && header?.sampled == "0")
    }

    @Test func aW3CTraceparentBecomesTheSameTraceInXRaysForm() {
        let header = TraceHeader.fromTraceparent("00-4efaaf4d1e8720b39541901950019ee5-53995c3f42cd8ad8-01")
        #expect(header == TraceHeader(root: "1-4efaaf4d-1e8720b39541901950019ee5", parent: "53995c3f42cd8ad8", sampled: "1"))
        #expect(TraceHeader.fromTraceparent("00-4efaaf4d1e8720b39541901950019ee5-53995c3f42cd8ad8-00")?.sampled == "0")
        #expect(TraceHeader.fromTraceparent("01-4efaaf4d1e8720b39541901950019ee5-53995c3f42cd8ad8-01") == nil)
        #expect(TraceHeader.fromTraceparent("00-00000000000000000000000000000000-53995c3f42cd8ad8-01") == nil)
        #expect(TraceHeader.fromTraceparent("00-4efaaf4d1e8720b39541901950019ee5-0000000000000000-01") == nil)
        #expect(TraceHeader.fromTraceparent("00-4efaaf4d1e8720b3954190195001-53995c3f42cd8ad8-01") == nil)
    }
}

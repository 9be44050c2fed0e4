import StarfleetCore
import Testing

/// Lambda's event filtering on an SQS record's body and message attributes, one operator at a time, and the patterns
/// that are refused when the configuration is read.
@Suite struct EventFilterTests {
    func admits(_ pattern: String, body: String, attributes: [String: String] = [:]) throws -> Bool {
        EventFilter.admits([try EventFilter(parsing: pattern)], body: body, messageAttributes: attributes)
    }

    @Test func exactValuesOnJSONBodies() throws {
        let p = #"{"body": {"kind": ["order", 7, true, null]}}"#
        #expect(try admits(p, body: #"{"kind": "order"}"#))
        #expect(try admits(p, body: #"{"kind": 7.0}"#))
        #expect(try admits(p, body: #"{"kind": true}"#))
        #expect(try admits(p, body: #"{"kind": null}"#))
        #expect(try !admits(p, body: #"{"kind": "Order"}"#))
        #expect(try !admits(p, body: #"{"kind": "7"}"#))
        #expect(try !admits(p, body: #"{"other": "order"}"#))
        // An array in the message matches when one element does.
        #expect(try admits(p, body: #"{"kind": ["x", "order"]}"#))
        // Nested objects, and several fields that must all match.
        let nested = #"{"body": {"a": {"b": ["x"]}, "c": ["y"]}}"#
        #expect(try admits(nested, body: #"{"a": {"b": "x"}, "c": "y"}"#))
        #expect(try !admits(nested, body: #"{"a": {"b": "x"}, "c": "z"}"#))
    }

    @Test func prefixSuffixAndEqualsIgnoreCase() throws {
        #expect(try admits(#"{"body": {"k": [{"prefix": "inv-"}]}}"#, body: #"{"k": "inv-1"}"#))
        #expect(try !admits(#"{"body": {"k": [{"prefix": "inv-"}]}}"#, body: #"{"k": "xinv-1"}"#))
        #expect(try admits(#"{"body": {"k": [{"suffix": ".png"}]}}"#, body: #"{"k": "a.png"}"#))
        #expect(try !admits(#"{"body": {"k": [{"suffix": ".png"}]}}"#, body: #"{"k": "a.jpg"}"#))
        #expect(try admits(#"{"body": {"k": [{"equals-ignore-case": "ALICE"}]}}"#, body: #"{"k": "aLiCe"}"#))
        #expect(try !admits(#"{"body": {"k": [{"equals-ignore-case": "ALICE"}]}}"#, body: #"{"k": "bob"}"#))
    }

    @Test func anythingBut() throws {
        let p = #"{"body": {"state": [{"anything-but": ["done", "skipped"]}]}}"#
        #expect(try admits(p, body: #"{"state": "new"}"#))
        #expect(try !admits(p, body: #"{"state": "done"}"#))
        // Absent fields do not match anything-but.
        #expect(try !admits(p, body: #"{"other": 1}"#))
        #expect(try admits(#"{"body": {"n": [{"anything-but": 3}]}}"#, body: #"{"n": 4}"#))
        #expect(try !admits(#"{"body": {"n": [{"anything-but": 3}]}}"#, body: #"{"n": 3}"#))
    }

    @Test func numericComparisonsAndRanges() throws {
        let range = #"{"body": {"n": [{"numeric": [">", 0, "<=", 5]}]}}"#
        #expect(try admits(range, body: #"{"n": 5}"#))
        #expect(try admits(range, body: #"{"n": 0.5}"#))
        #expect(try !admits(range, body: #"{"n": 0}"#))
        #expect(try !admits(range, body: #"{"n": 6}"#))
        #expect(try !admits(range, body: #"{"n": "3"}"#))
        #expect(try admits(#"{"body": {"n": [{"numeric": ["=", 100]}]}}"#, body: #"{"n": 100.0}"#))
        #expect(try admits(#"{"body": {"n": [{"numeric": [">=", 10]}]}}"#, body: #"{"n": 10}"#))
        #expect(try !admits(#"{"body": {"n": [{"numeric": ["<", 10]}]}}"#, body: #"{"n": 10}"#))
    }

    @Test func existsTrueAndFalse() throws {
        #expect(try admits(#"{"body": {"id": [{"exists": true}]}}"#, body: #"{"id": 1}"#))
        #expect(try !admits(#"{"body": {"id": [{"exists": true}]}}"#, body: #"{"other": 1}"#))
        #expect(try admits(#"{"body": {"id": [{"exists": false}]}}"#, body: #"{"other": 1}"#))
        #expect(try !admits(#"{"body": {"id": [{"exists": false}]}}"#, body: #"{"id": 1}"#))
    }

    @Test func orOfPatternsAndListsAsOr() throws {
        let p = #"{"body": {"$or": [{"a": ["1"]}, {"b": [{"prefix": "x"}]}]}}"#
        #expect(try admits(p, body: #"{"a": "1"}"#))
        #expect(try admits(p, body: #"{"b": "xy"}"#))
        #expect(try !admits(p, body: #"{"a": "2", "b": "y"}"#))
        #expect(try admits(#"{"body": {"k": ["a", {"prefix": "b"}]}}"#, body: #"{"k": "bee"}"#))
        // A trigger's filters are OR'ed too.
        let filters = [
            try EventFilter(parsing: #"{"body": {"k": ["a"]}}"#), try EventFilter(parsing: #"{"body": {"k": ["b"]}}"#),
        ]
        #expect(EventFilter.admits(filters, body: #"{"k": "b"}"#, messageAttributes: [:]))
        #expect(!EventFilter.admits(filters, body: #"{"k": "c"}"#, messageAttributes: [:]))
    }

    @Test func plainTextBodiesMatchOnlyPatternsOnTheBodyText() throws {
        #expect(try admits(#"{"body": ["hello"]}"#, body: "hello"))
        #expect(try !admits(#"{"body": ["hello"]}"#, body: "hello there"))
        #expect(try admits(#"{"body": [{"prefix": "Result: "}]}"#, body: "Result: ok"))
        // A pattern on JSON fields drops a plain-text body; a pattern on the text drops a JSON body (AWS's table).
        #expect(try !admits(#"{"body": {"k": ["a"]}}"#, body: "k=a"))
        #expect(try !admits(#"{"body": ["{\"k\": \"a\"}"]}"#, body: #"{"k": "a"}"#))
    }

    @Test func messageAttributesAsTheEventShowsThem() throws {
        let p = #"{"messageAttributes": {"Priority": {"stringValue": ["high"]}}}"#
        #expect(try admits(p, body: "x", attributes: ["Priority": "high"]))
        #expect(try !admits(p, body: "x", attributes: ["Priority": "low"]))
        #expect(try !admits(p, body: "x"))
        #expect(try admits(#"{"messageAttributes": {"Priority": [{"exists": false}]}}"#, body: "x"))
    }

    @Test(arguments: [
        ("not json", "not JSON"),
        (#"["body"]"#, "not a JSON object"),
        (#"{"attributes": {"SenderId": ["x"]}}"#, "\"attributes\" is not a field"),
        (#"{"body": "x"}"#, "body is a string"),
        (#"{"body": {"k": []}}"#, "empty list"),
        (#"{"body": {}}"#, "empty object"),
        (#"{"body": {"k": [{"wildcard": "a*"}]}}"#, "\"wildcard\" is not a filter operator"),
        (#"{"body": {"k": [{"prefix": 1}]}}"#, "prefix takes text"),
        (#"{"body": {"k": [{"exists": "yes"}]}}"#, "exists takes true or false"),
        (#"{"body": {"k": [{"numeric": [">"]}]}}"#, "pairs"),
        (#"{"body": {"k": [{"numeric": ["!=", 1]}]}}"#, "not one of"),
        (#"{"body": {"k": [{"numeric": [">", "1"]}]}}"#, "not a number"),
        (#"{"body": {"k": [{"prefix": "a", "suffix": "b"}]}}"#, "exactly one operator"),
        (#"{"body": {"$or": [{"a": ["1"]}]}}"#, "at least two"),
        (#"{"body": {"k": [{"anything-but": [{"prefix": "a"}]}]}}"#, "anything-but takes text or numbers"),
    ])
    func invalidPatternsAreRefused(_ pattern: String, _ problem: String) {
        do {
            _ = try EventFilter(parsing: pattern)
            Issue.record("\(pattern) was accepted")
        } catch {
            #expect(error.message.contains(problem), "\(error.message)")
        }
    }

    @Test func aPatternOverLambdasLengthLimitIsRefused() {
        let long = #"{"body": {"k": [""# + String(repeating: "a", count: 4100) + #""]}}"#
        #expect(throws: EventFilter.PatternError.self) { try EventFilter(parsing: long) }
    }
}

import StarfleetCore
import StarfleetYAML
import Testing

@Suite struct YAMLParserTests {
    @Test func everyValueCarriesItsLineAndColumn() throws {
        let text = "STARFLEET:\n  LogLevel: DEBUG\n  ScopeToRegions:\n    - us-east-1\n"
        let root = try #require(try YAMLParser.parse(text, file: "c.yaml"))
        let level = try #require(root["STARFLEET"]?["LogLevel"])
        #expect(level.mark == SourceMark(file: "c.yaml", line: 2, column: 13))
        let region = try #require(root["STARFLEET"]?["ScopeToRegions"]?.sequence?.first)
        #expect(region.mark == SourceMark(file: "c.yaml", line: 4, column: 7))
        let key = try #require(root.entries?.first?.key)
        #expect(key.mark == SourceMark(file: "c.yaml", line: 1, column: 1))
    }

    @Test func emptyAndCommentOnlyInputHasNoDocument() throws {
        #expect(try YAMLParser.parse("", file: "e.yaml") == nil)
        #expect(try YAMLParser.parse("# nothing here\n", file: "e.yaml") == nil)
    }

    @Test func syntaxErrorNamesThePlace() {
        do {
            _ = try YAMLParser.parse("a: [1, 2\nb: 3\n", file: "bad.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.mark.file == "bad.yaml")
            #expect(error.mark.line >= 1)
            #expect(error.description.hasPrefix("bad.yaml:"))
        }
    }

    @Test func invalidUTF8IsAReadableError() {
        let bytes: [UInt8] = Array("a: ".utf8) + [0xFF, 0xFE, 0x80] + Array("\n".utf8)
        #expect(throws: YAMLError.self) { try YAMLParser.parse(bytes, file: "bin.yaml") }
        do { _ = try YAMLParser.parse(bytes, file: "bin.yaml") } catch { #expect(error.message.contains("UTF-8")) }
    }

    @Test func binaryGarbageNeverTraps() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            let bytes = (0..<Int.random(in: 0..<400, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            _ = try? YAMLParser.parse(bytes, file: "fuzz.yaml")
        }
    }

    @Test func aliasBombIsStoppedByTheNodeLimit() {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
            previous = name
        }
        do {
            _ = try YAMLParser.parse(text, file: "bomb.yaml")
            Issue.record("expected the alias bomb to be refused")
        } catch {
            #expect(error.message.contains("alias bomb"))
        }
    }

    @Test func aliasesAndMergeKeysExpandAsInSafeLoad() throws {
        let text = """
            base: &base {Enabled: true, Concurrency: 2}
            worker:
              <<: *base
              Concurrency: 4
            list: [*base]
            """
        let root = try #require(try YAMLParser.parse(text, file: "m.yaml"))
        #expect(root["worker"]?["Enabled"]?.bool == true)
        #expect(root["worker"]?["Concurrency"]?.int == 4)
        #expect(root["worker"]?.entries?.count == 2)
        #expect(root["list"]?.sequence?.first?["Concurrency"]?.int == 2)
    }

    @Test func deepNestingIsRefused() {
        let text = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(throws: YAMLError.self) { try YAMLParser.parse(text, file: "deep.yaml") }
    }

    @Test func secondDocumentIsRefused() {
        #expect(throws: YAMLError.self) { try YAMLParser.parse("a: 1\n---\nb: 2\n", file: "two.yaml") }
    }

    @Test func unknownTagsAreRefusedAsSafeLoadDoes() {
        #expect(throws: YAMLError.self) { try YAMLParser.parse("a: !!python/object:os.system ls\n", file: "t.yaml") }
        #expect(throws: YAMLError.self) { try YAMLParser.parse("a: !Ref Something\n", file: "t.yaml") }
    }

    @Test func undefinedAliasIsAnError() {
        #expect(throws: YAMLError.self) { try YAMLParser.parse("a: *nothing\n", file: "t.yaml") }
    }

    @Test func listAtTheTopIsParsed() throws {
        let root = try #require(try YAMLParser.parse("- a\n- b\n", file: "l.yaml"))
        #expect(root.sequence?.count == 2)
    }
}

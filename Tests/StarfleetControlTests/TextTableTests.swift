import FoundationEssentials
import Testing

@testable import StarfleetControl
@testable import StarfleetDaemon

@Suite struct TextTableTests {
    @Test func alignsColumnsAndRightAlignsNumbers() {
        var table = TextTable(["QUEUE", "VISIBLE", "OLDEST"], rightAligned: [1])
        table.append(["Starbase", "0", "-"])
        table.append(["AuditWorker", "1234", "4m12s"])
        #expect(
            table.render() == [
                "QUEUE        VISIBLE  OLDEST",
                "Starbase           0  -",
                "AuditWorker     1234  4m12s",
            ])
    }

    @Test func padsShortRowsAndDropsExtraCellsWithoutTrailingBlanks() {
        var table = TextTable(["A", "B"])
        table.append(["x"])
        table.append(["y", "z", "extra"])
        #expect(table.render() == ["A  B", "x", "y  z"])
    }

    @Test func countsCharactersNotBytes() {
        var table = TextTable(["NAME", "X"])
        table.append(["é…", "1"])
        #expect(table.render() == ["NAME  X", "é…    1"])
    }

    @Test(arguments: [
        (0.0, "0s"), (59.9, "59s"), (60, "1m00s"), (252, "4m12s"), (3600, "1h00m"), (7500, "2h05m"),
        (86_400, "1d00h"), (273_600, "3d04h"), (-5, "0s"),
    ])
    func ages(seconds: Double, text: String) {
        #expect(Format.age(seconds: seconds) == text)
    }

    @Test func oneLineCollapsesWhitespaceAndCuts() {
        #expect(Format.oneLine("exit status 3\n  Traceback:\n\tboom") == "exit status 3 Traceback: boom")
        #expect(Format.oneLine(nil) == "-")
        #expect(Format.oneLine("  \n ") == "-")
        #expect(Format.oneLine("abcdefghij", limit: 5) == "abcd…")
        #expect(Format.oneLine("abcde", limit: 5) == "abcde")
    }

    @Test func timesAreUTCToTheSecond() {
        #expect(Format.time(Date(timeIntervalSince1970: 1_700_000_000.75)) == "2023-11-14T22:13:20Z")
        #expect(Format.time(nil) == "-")
        #expect(JSONOutput.timestamp(Date(timeIntervalSince1970: 1_700_000_000)) == "2023-11-14T22:13:20Z")
        #expect(JSONOutput.timestamp(Date(timeIntervalSince1970: 1_700_000_000.5)) == "2023-11-14T22:13:20.500Z")
    }
}

import FoundationEssentials

/// An aligned text table for human output: a header row, columns two spaces apart, numbers right-aligned,
/// no trailing blanks (so `grep`/`awk` on the output behave).
struct TextTable {
    var header: [String]
    var rows: [[String]] = []
    /// Column indexes whose cells are right-aligned (counts).
    var rightAligned: Set<Int> = []

    init(_ header: [String], rightAligned: Set<Int> = []) {
        self.header = header
        self.rightAligned = rightAligned
    }

    mutating func append(_ row: [String]) { rows.append(row) }

    /// The lines of the table; short rows are padded with empty cells, extra cells are dropped.
    func render() -> [String] {
        let all = ([header] + rows).map { row in
            header.indices.map { $0 < row.count ? row[$0] : "" }
        }
        let widths = header.indices.map { c in all.map { $0[c].count }.max() ?? 0 }
        return all.map { row in
            let cells = row.enumerated().map { c, cell -> String in
                let pad = String(repeating: " ", count: widths[c] - cell.count)
                return rightAligned.contains(c) ? pad + cell : cell + pad
            }
            var line = cells.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            return line
        }
    }
}

/// How times, ages and error texts look in human output.
enum Format {
    private static let stamp = Date.ISO8601FormatStyle(timeZone: .gmt)

    /// ISO 8601 in UTC to the second (`2025-01-31T14:05:00Z`), or "-".
    static func time(_ date: Date?) -> String { date.map { stamp.format($0) } ?? "-" }

    /// A compact duration: `45s`, `4m12s`, `2h05m`, `3d04h`; negative spans count as 0.
    static func age(seconds: Double) -> String {
        let s = max(0, Int(seconds))
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m\(two(s % 60))s" }
        if s < 86_400 { return "\(s / 3600)h\(two((s % 3600) / 60))m" }
        return "\(s / 86_400)d\(two((s % 86_400) / 3600))h"
    }

    /// Text on one line: runs of whitespace (newlines included) become one space; longer than `limit`
    /// characters it is cut and ends in "…". Empty or nil gives "-".
    static func oneLine(_ text: String?, limit: Int = 80) -> String {
        guard let text else { return "-" }
        let words = text.split(whereSeparator: { $0.isWhitespace || $0.isNewline })
        let line = words.joined(separator: " ")
        if line.isEmpty { return "-" }
        guard line.count > limit, limit > 1 else { return line }
        return String(line.prefix(limit - 1)) + "…"
    }
}

/// `--json` output: sorted keys, ISO 8601 dates (UTC, with milliseconds when the time has them), no escaped slashes.
enum JSONOutput {
    static func encoder(pretty: Bool) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting =
            pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var c = encoder.singleValueContainer()
            try c.encode(timestamp(date))
        }
        return encoder
    }

    private static let whole = Date.ISO8601FormatStyle(timeZone: .gmt)
    private static let fractional = Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt)

    static func timestamp(_ date: Date) -> String {
        date.timeIntervalSince1970.rounded(.down) == date.timeIntervalSince1970 ? whole.format(date) : fractional.format(date)
    }

    /// Prints `value` as JSON on stdout (one line unless `pretty`); exits 74 if it cannot be encoded.
    static func print(_ value: some Encodable, pretty: Bool = false) throws {
        do {
            let data = try encoder(pretty: pretty).encode(value)
            Terminal.out(String(decoding: data, as: UTF8.self))
        } catch {
            Terminal.error("error: the output could not be encoded as JSON: \(error)")
            throw ControlExit(ExitStatus.ioError)
        }
    }
}

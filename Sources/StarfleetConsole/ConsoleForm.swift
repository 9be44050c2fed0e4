import StarfleetAWS

/// An `application/x-www-form-urlencoded` body, as the console's forms post it. A key may repeat (checkboxes).
struct ConsoleForm: Sendable, Equatable {
    var fields: [(name: String, value: String)]

    static func == (a: ConsoleForm, b: ConsoleForm) -> Bool { a.fields.elementsEqual(b.fields) { $0 == $1 } }

    init(_ body: String) {
        fields = body.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            return (Self.decode(parts[0]), parts.count > 1 ? Self.decode(parts[1]) : "")
        }
    }

    func value(_ name: String) -> String? { fields.first { $0.name == name }?.value }
    func values(_ name: String) -> [String] { fields.filter { $0.name == name }.map(\.value) }

    /// `+` is a space, `%XX` a byte; malformed escapes are kept as written.
    static func decode(_ text: Substring) -> String { PercentEncoding.decode(String(text), plusIsSpace: true) }
}

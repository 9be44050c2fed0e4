/// Journal field names are upper case `[A-Z0-9_]`, at most 64 bytes, and must not start with `_` (those are
/// trusted fields journald adds itself) or a digit; journald drops any other name (systemd.journal-fields(7)).
enum JournalFieldName {
    /// Fields the log handler writes itself; metadata with these names is renamed so it cannot overwrite them.
    static let reserved: Set<String> = [
        "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "CODE_FILE", "CODE_LINE", "CODE_FUNC",
    ]

    /// Maps a swift-log metadata key ("account_id", "receive-count", "worker") to a valid field name
    /// ("ACCOUNT_ID", "RECEIVE_COUNT", "WORKER"): letters upper-cased, anything else outside `[A-Z0-9_]`
    /// becomes `_`, leading underscores are dropped, a leading digit gets an `X_` prefix (systemd's prefix
    /// for private fields), and a clash with a reserved field gets the `X_` prefix too.
    static func make(_ key: String) -> String {
        var bytes: [UInt8] = key.utf8.map { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - 32
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): byte
            default: UInt8(ascii: "_")
            }
        }
        bytes = Array(bytes.drop { $0 == UInt8(ascii: "_") })
        if bytes.isEmpty { return "X_FIELD" }
        var name = String(decoding: bytes, as: UTF8.self)
        if let first = bytes.first, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) || reserved.contains(name) {
            name = "X_" + name
        }
        return String(name.prefix(64))
    }
}

/// The deduplication ids sent in the last five minutes, kept compact: a fan-out of 100,000 payloads puts 100,000 ids
/// here, and as a `[String: …]` each was its own small heap allocation made in between the fan-out's large, short-lived
/// ones, pinning the pages the fan-out freed for the whole window (the daemon's resident size stayed near its peak).
///
/// The Starbase's ids are SHA-256 digests in lowercase hex: those are kept as their 32 bytes in one flat array with an
/// open-addressing table of positions (two allocations in all, ~70 bytes an id). Any other id (up to 128 characters
/// from other senders) is kept as it is, in a dictionary of its own. Both forms are exact: no two different ids
/// ever share an entry.
struct DeduplicationWindow {
    /// 64 lowercase hex digits as four big-endian words.
    struct Digest: Hashable {
        var a: UInt64, b: UInt64, c: UInt64, d: UInt64

        init?(hex: String) {
            var words: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
            var count = 0
            for byte in hex.utf8 {
                let value: UInt64
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): value = UInt64(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): value = UInt64(byte - UInt8(ascii: "a") + 10)
                default: return nil  // upper case too: ids are compared as text, and "AB" is not "ab"
                }
                guard count < 64 else { return nil }
                switch count / 16 {
                case 0: words.0 = words.0 << 4 | value
                case 1: words.1 = words.1 << 4 | value
                case 2: words.2 = words.2 << 4 | value
                default: words.3 = words.3 << 4 | value
                }
                count += 1
            }
            guard count == 64 else { return nil }
            (a, b, c, d) = words
        }
    }

    private struct Record {
        var digest: Digest
        var entry: DeduplicationEntry
        /// Removed (a send whose write failed gave its id back): skipped by lookups, dropped by the next rebuild.
        var removed: Bool { entry.sentMs == .min }
    }

    /// What one id costs in the flat array (the table of positions adds 8 bytes or less at most half full).
    static var bytesPerID: Int { MemoryLayout<Record>.stride }

    private var records: [Record] = []
    /// Open addressing with linear probing: 0 is an empty slot, else a position in `records` plus one. At most half full.
    private var slots: [Int32] = []
    private var texts: [String: DeduplicationEntry] = [:]
    private var removedRecords = 0

    var count: Int { records.count - removedRecords + texts.count }

    subscript(id: String) -> DeduplicationEntry? {
        get {
            guard let digest = Digest(hex: id) else { return texts[id] }
            guard let position = find(digest).position, !records[position].removed else { return nil }
            return records[position].entry
        }
        set {
            guard let digest = Digest(hex: id) else {
                texts[id] = newValue
                return
            }
            if let newValue { insert(digest, newValue) } else { remove(digest) }
        }
    }

    mutating func removeValue(forKey id: String) {
        self[id] = nil
    }

    /// Forgets the ids sent at or before `horizon` and gives back the room they held.
    mutating func removeAll(sentAtOrBefore horizon: Int64) {
        records = records.filter { !$0.removed && $0.entry.sentMs > horizon }
        removedRecords = 0
        texts = texts.filter { $0.value.sentMs > horizon }
        rebuildSlots(minimumCount: records.count)
    }

    private mutating func insert(_ digest: Digest, _ entry: DeduplicationEntry) {
        let (position, slot) = find(digest)
        if let position {
            if records[position].removed { removedRecords -= 1 }
            records[position].entry = entry
            return
        }
        guard records.count < Int(Int32.max) - 1 else { return }  // unreachable in practice: 2 G ids in five minutes
        records.append(Record(digest: digest, entry: entry))
        if (records.count) * 2 > slots.count {
            rebuildSlots(minimumCount: records.count)
        } else {
            slots[slot] = Int32(records.count)
        }
    }

    private mutating func remove(_ digest: Digest) {
        guard let position = find(digest).position, !records[position].removed else { return }
        records[position].entry.sentMs = .min
        removedRecords += 1
    }

    /// The record holding `digest`, or the empty slot where it would go.
    private func find(_ digest: Digest) -> (position: Int?, slot: Int) {
        guard !slots.isEmpty else { return (nil, 0) }
        let mask = slots.count - 1
        var slot = Self.hash(digest) & mask
        while true {
            let stored = Int(slots[slot])
            if stored == 0 { return (nil, slot) }
            if records[stored - 1].digest == digest { return (stored - 1, slot) }
            slot = (slot + 1) & mask
        }
    }

    private mutating func rebuildSlots(minimumCount: Int) {
        var size = 16
        while size < minimumCount * 2 + 2 { size *= 2 }
        var fresh = [Int32](repeating: 0, count: size)
        let mask = size - 1
        for (position, record) in records.enumerated() {
            var slot = Self.hash(record.digest) & mask
            while fresh[slot] != 0 { slot = (slot + 1) & mask }
            fresh[slot] = Int32(position + 1)
        }
        slots = fresh
    }

    /// Seeded per process (Swift's Hasher), so ids crafted to collide cannot make every lookup a long probe.
    private static func hash(_ digest: Digest) -> Int {
        var hasher = Hasher()
        hasher.combine(digest)
        return hasher.finalize()
    }
}

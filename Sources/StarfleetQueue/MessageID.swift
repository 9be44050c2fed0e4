public import FoundationEssentials

/// A message's id: a random UUID, shown in its canonical upper-case text form (as SQS shows MessageId).
public struct MessageID: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let uuid: UUID

    public init(uuid: UUID = UUID()) { self.uuid = uuid }

    /// Parses the text form (case-insensitive); nil when it is not a UUID.
    public init?(_ text: String) {
        guard let uuid = UUID(uuidString: text) else { return nil }
        self.uuid = uuid
    }

    public var description: String { uuid.uuidString }

    public static func < (a: MessageID, b: MessageID) -> Bool { a.uuid.uuidString < b.uuid.uuidString }
}

/// Receipt handles are `<message id>:<receive count>`: a handle is current only while the message's receive
/// count still equals the one it carries, which is exactly SQS's "only the latest handle counts" rule, and it
/// stays valid across a restart because the receive count is durable.
extension ReceiptHandle {
    init(id: MessageID, receiveCount: Int32) {
        self.init(rawValue: "\(id):\(receiveCount)")
    }

    /// The message id and receive count, or nil for text this queue did not issue.
    var parsed: (id: MessageID, receiveCount: Int32)? {
        let parts = rawValue.split(separator: ":")
        guard parts.count == 2, let id = MessageID(String(parts[0])), let count = Int32(parts[1]), count > 0 else {
            return nil
        }
        return (id, count)
    }
}

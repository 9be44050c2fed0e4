import Foundation

/// A fresh directory per test under the system's temporary directory (mkdtemp), removed by ``remove()``; never the
/// working tree or a fixed path.
package struct TemporaryDirectory: Sendable {
    package let path: String

    package init(_ prefix: String = "starfleet-test") throws {
        var template = Array((NSTemporaryDirectory() + "/\(prefix)-XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.flatMap { mkdtemp($0) } }
        guard let made else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: "mkdtemp \(prefix): errno \(errno)"])
        }
        path = String(cString: made)
    }

    /// `relative` under the directory.
    package func path(_ relative: String) -> String { path + "/" + relative }

    /// Writes `text` to `relative`, creating the folders on its way.
    package func write(_ relative: String, _ text: String) throws {
        let file = path(relative)
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
    }

    /// Makes `relative` (and its parents) and returns its path.
    @discardableResult
    package func makeDirectory(_ relative: String) throws -> String {
        try FileManager.default.createDirectory(atPath: path(relative), withIntermediateDirectories: true)
        return path(relative)
    }

    /// The text of `relative`, or nil when it cannot be read.
    package func read(_ relative: String) -> String? { try? String(contentsOfFile: path(relative), encoding: .utf8) }

    package func remove() { try? FileManager.default.removeItem(atPath: path) }
}

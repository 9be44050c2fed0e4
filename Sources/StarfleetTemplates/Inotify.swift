import Dispatch
import Glibc
import Synchronization

/// One event read from an inotify descriptor.
package struct InotifyEvent: Sendable, Hashable {
    package var watch: Int32
    package var mask: UInt32
    package var cookie: UInt32
    /// The entry name inside the watched directory; nil for events about the directory itself or a name that is not
    /// UTF-8 (such a name cannot be a key; the rescan reports it).
    package var name: String?

    package func has(_ flag: Int32) -> Bool { mask & UInt32(bitPattern: flag) != 0 }
}

/// A Linux inotify instance read by a Dispatch read source on its own serial queue, so no thread of Swift's
/// cooperative pool ever blocks on it. Events are parked in a bounded buffer and the owner is poked through
/// `onReadable`; it collects them with ``take()``. Past the bound, events are dropped and reported as an overflow,
/// exactly like the kernel's own IN_Q_OVERFLOW, and the owner answers either with a full rescan.
package final class Inotify: Sendable {
    /// Events kept between two `take()`s before the rest count as an overflow (the kernel's own default queue is
    /// 16,384 events; this bounds our memory the same way).
    static let defaultBufferLimit = 65_536

    /// Directory watch mask: completed writes, moves in and out, creations (for new subdirectories and symbolic
    /// links), deletions, and the directory's own removal or move. IN_ONLYDIR: directories only.
    package static let directoryMask: UInt32 =
        UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF)
        | UInt32(IN_ONLYDIR) | UInt32(IN_EXCL_UNLINK)

    /// What both the owner and the Dispatch handlers touch; the handlers hold this, not the `Inotify`, so dropping
    /// the `Inotify` cancels the source (no retain cycle keeps the descriptor open).
    private final class Shared: Sendable {
        struct State {
            var fd: Int32
            var limit: Int
            var events: [InotifyEvent] = []
            var overflowed = false
        }
        let state: Mutex<State>
        init(fd: Int32, limit: Int) { state = Mutex(State(fd: fd, limit: limit)) }
    }

    private let shared: Shared
    /// libdispatch sources are thread-safe objects (cancel from any thread is their contract); the overlay just
    /// does not mark the protocol Sendable.
    nonisolated(unsafe) private let source: any DispatchSourceRead

    /// Creates the instance and starts reading. `onReadable` runs on the reader's queue after new events arrived;
    /// more than `bufferLimit` events between two `take()`s count as an overflow.
    package init(bufferLimit: Int = defaultBufferLimit, onReadable: @escaping @Sendable () -> Void) throws(TemplateWatcherError) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else {
            throw TemplateWatcherError(
                code: .inotifyUnavailable, path: "inotify", errno: errno,
                message: "cannot create an inotify instance (raise fs.inotify.max_user_instances); falling back to rescans")
        }
        let shared = Shared(fd: fd, limit: bufferLimit)
        let queue = DispatchQueue(label: "starfleetd.templates.inotify")
        let source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: queue)
        source.setEventHandler { @Sendable in
            if Inotify.drain(shared) { onReadable() }
        }
        source.setCancelHandler { @Sendable in
            shared.state.withLock { state in
                if state.fd >= 0 { close(state.fd) }
                state.fd = -1
            }
        }
        self.shared = shared
        self.source = source
        source.activate()
    }

    deinit { source.cancel() }

    /// Stops reading; the descriptor is closed by the source's cancel handler, after any running read.
    package func cancel() { source.cancel() }

    /// Adds (or updates) a watch on `directory`; the watch descriptor, or the errno. `followLink` only for the
    /// template directory itself (it may be a link to the real tree); below it, a link is never watched through.
    package func addWatch(_ directory: String, followLink: Bool) -> Result<Int32, SystemCallFailure> {
        shared.state.withLock { state in
            guard state.fd >= 0 else { return .failure(SystemCallFailure(code: EBADF)) }
            let mask = followLink ? Self.directoryMask : Self.directoryMask | UInt32(IN_DONT_FOLLOW)
            let wd = inotify_add_watch(state.fd, directory, mask)
            return wd >= 0 ? .success(wd) : .failure(SystemCallFailure(code: errno))
        }
    }

    /// Removes a watch (the kernel then queues IN_IGNORED for it). Failure means it was already gone.
    package func removeWatch(_ wd: Int32) {
        shared.state.withLock { state in
            if state.fd >= 0 { _ = inotify_rm_watch(state.fd, wd) }
        }
    }

    /// The events read since the last call, and whether any were lost (kernel or buffer overflow).
    package func take() -> (events: [InotifyEvent], overflowed: Bool) {
        shared.state.withLock { state in
            defer {
                state.events = []
                state.overflowed = false
            }
            return (state.events, state.overflowed)
        }
    }

    package struct SystemCallFailure: Error { package var code: Int32 }

    /// Reads until EAGAIN; true when the buffer went from empty to non-empty (one poke per batch is enough).
    private static func drain(_ shared: Shared) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var poke = false
        while true {
            let outcome: Int = shared.state.withLock { state in
                guard state.fd >= 0 else { return 0 }
                let n = buffer.withUnsafeMutableBytes { read(state.fd, $0.baseAddress, $0.count) }
                if n < 0 { return errno == EINTR ? -2 : -1 }
                let wasEmpty = state.events.isEmpty && !state.overflowed
                buffer.withUnsafeBytes { Self.parse($0.prefix(n), into: &state) }
                if wasEmpty && (!state.events.isEmpty || state.overflowed) { poke = true }
                return n
            }
            if outcome == -2 { continue }
            if outcome <= 0 { return poke }  // EAGAIN: drained; 0: closed
        }
    }

    /// Splits a read buffer into events: a 16-byte `struct inotify_event` header, then `len` bytes of
    /// NUL-padded name.
    private static func parse(_ bytes: UnsafeRawBufferPointer.SubSequence, into state: inout Shared.State) {
        let base = UnsafeRawBufferPointer(rebasing: bytes)
        var offset = 0
        while offset + 16 <= base.count {
            let wd = base.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = base.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let cookie = base.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self)
            let length = Int(base.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameBytes = base[(offset + 16)..<min(offset + 16 + length, base.count)].prefix { $0 != 0 }
            let name = nameBytes.isEmpty ? nil : String(validating: nameBytes, as: UTF8.self)
            offset += 16 + length
            if mask & UInt32(IN_Q_OVERFLOW) != 0 || state.events.count >= state.limit {
                state.overflowed = true
            } else {
                state.events.append(InotifyEvent(watch: wd, mask: mask, cookie: cookie, name: name))
            }
        }
    }
}

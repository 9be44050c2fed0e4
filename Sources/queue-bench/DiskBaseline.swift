import Glibc

/// What the disk itself can do, measured in the same run: the limits the queue's figures are divided by.
enum DiskBaseline {
    /// p50 of (append `bytes` with pwrite + fdatasync) on one file: the cost of one durable append.
    static func fdatasyncLatency(directory: String, samples: Int = 300, bytes: Int = 1100) -> (p50: Double, p99: Double) {
        let path = directory + "/baseline-fdatasync"
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        if fd < 0 { die("open \(path): errno \(errno)") }
        defer {
            close(fd)
            unlink(path)
        }
        let buffer = [UInt8](repeating: 0x61, count: bytes)
        var offset: off_t = 0
        var times: [Double] = []
        for _ in 0..<samples {
            let t = timed {
                let n = buffer.withUnsafeBytes { pwrite(fd, $0.baseAddress, bytes, offset) }
                if n != bytes { die("pwrite: errno \(errno)") }
                if fdatasync(fd) != 0 { die("fdatasync: errno \(errno)") }
            }
            offset += off_t(bytes)
            times.append(t)
        }
        return (percentile(times, 0.5), percentile(times, 0.99))
    }

    /// The raw disk's batched-append limit: `total` bytes with one pwrite and one fdatasync, to a new file
    /// (what the queue does for a batch, minus the queue). The file is kept, like a journal segment.
    static func batchedAppend(directory: String, total: Int) -> Double {
        let buffer = [UInt8](repeating: 0x62, count: total)
        var times: [Double] = []
        _ = mkdir(directory, 0o700)
        for run in 0..<1 {
            let path = directory + "/baseline-batch-\(run)"
            let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
            if fd < 0 { die("open \(path): errno \(errno)") }
            // Same shape as a fresh journal segment: a small header already durable, then the batch.
            _ = pwrite(fd, buffer, 32, 0)
            _ = fsync(fd)
            let t = timed {
                var done = 0
                while done < total {
                    let n = buffer.withUnsafeBytes { raw in
                        raw.baseAddress.map { pwrite(fd, $0 + done, total - done, off_t(32 + done)) } ?? -1
                    }
                    if n <= 0 { die("pwrite: errno \(errno)") }
                    done += n
                }
                if fdatasync(fd) != 0 { die("fdatasync: errno \(errno)") }
            }
            times.append(t)
            close(fd)
        }
        return median(times)
    }
}

import Glibc

/// Reading corpus files: a path is a file or a folder of files (not recursive; dot files skipped).
enum Corpus {
    static func files(_ paths: [String]) -> [String] {
        var result: [String] = []
        for path in paths {
            guard let dir = opendir(path) else {
                result.append(path)
                continue
            }
            var names: [String] = []
            while let entry = readdir(dir) {
                let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    raw.bindMemory(to: CChar.self).baseAddress.map { String(cString: $0) } ?? ""
                }
                if !name.hasPrefix(".") { names.append(name) }
            }
            closedir(dir)
            result += names.sorted().map { path + "/" + $0 }
        }
        return result
    }

    static func read(_ path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            complain("starfleet-fuzz: cannot open \(path): errno \(errno)")
            exit(66)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                complain("starfleet-fuzz: cannot read \(path): errno \(errno)")
                exit(74)
            }
            if n == 0 { return bytes }
            bytes += chunk[0..<n]
        }
    }

    /// Writes `bytes` to `path` (the input being run, so a crash leaves it behind).
    static func write(_ bytes: [UInt8], to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        bytes.withUnsafeBytes { buffer in
            var done = 0
            while done < buffer.count, let base = buffer.baseAddress {
                let n = Glibc.write(fd, base + done, buffer.count - done)
                if n <= 0 { return }
                done += n
            }
        }
    }
}

/// A line on standard error (write(2): no shared FILE*).
func complain(_ text: String) {
    var line = text + "\n"
    line.withUTF8 { buffer in _ = Glibc.write(2, buffer.baseAddress, buffer.count) }
}

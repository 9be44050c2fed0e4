import Glibc

/// One directory walk of the template tree: which `*.yaml` entries exist and which directories were seen.
///
/// Rules (Starfleet's S3 filter, applied to a directory): any depth; only names ending in `.yaml` (case-sensitive,
/// `.yml` is ignored); names starting with `.` are skipped, files and directories alike (editor swap and lock
/// files, `.git`); symbolic links to directories are not descended into (no loops, nothing outside the tree).
struct TemplateWalk: Sendable {
    /// A `*.yaml` entry to inspect.
    struct Candidate: Sendable, Hashable {
        var key: String
        var path: String
    }

    var candidates: [Candidate] = []
    /// Entries that cannot become keys at all (names that are not UTF-8).
    var rejections: [TemplateRejection] = []
    /// Relative directories seen, `""` being the template directory itself.
    var directories: [String] = []
    /// Relative directories that could not be listed: keys under them must not be taken as deleted.
    var unlistable: [String] = []
    /// The starting directory does not exist (or is not a directory).
    var missing = false

    /// Walks `root`/`start` (`start` relative, `""` for the whole tree). `willList` is called with each directory
    /// before it is listed, so a watch added there cannot miss an entry created after the listing.
    static func walk(root: String, from start: String = "", willList: (String) -> Void = { _ in }) -> TemplateWalk {
        var result = TemplateWalk()
        var pending = [start]
        while let relative = pending.popLast() {
            let directory = join(root, relative)
            willList(relative)
            guard let handle = opendir(directory) else {
                let code = errno
                if relative == start && (code == ENOENT || code == ENOTDIR) {
                    result.missing = true
                } else if code != ENOENT {
                    // A subdirectory that vanished mid-walk is simply gone; anything else keeps its keys alive.
                    result.unlistable.append(relative)
                    result.rejections.append(
                        TemplateRejection(
                            path: directory,
                            reason:
                                "directory cannot be listed (\(SystemErrno.sentence(code))); templates in it are not watched until it is readable"
                        ))
                }
                continue
            }
            defer { closedir(handle) }
            result.directories.append(relative)
            while let entry = readdir(handle) {
                let name: String? = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                    String(validating: raw.prefix { $0 != 0 }, as: UTF8.self)
                }
                guard let name else {
                    let lossy = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                        String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
                    }
                    if lossy.hasSuffix(".yaml") {
                        result.rejections.append(
                            TemplateRejection(
                                path: join(directory, lossy),
                                reason: "the file name is not valid UTF-8, so it cannot be an S3 key; rename it"))
                    }
                    continue
                }
                if name.hasPrefix(".") { continue }  // also covers "." and ".."
                let key = relative.isEmpty ? name : relative + "/" + name
                let path = join(root, key)
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }  // vanished since readdir
                if (info.st_mode & S_IFMT) == S_IFDIR {
                    pending.append(key)
                } else if isTemplateName(name) {
                    result.candidates.append(Candidate(key: key, path: path))
                }
            }
        }
        return result
    }

    /// Whether a file name is a template name: ends in `.yaml` (case-sensitive) and is not a dot-file.
    static func isTemplateName(_ name: Substring) -> Bool {
        !name.hasPrefix(".") && name.hasSuffix(".yaml") && name.count > ".yaml".count
    }

    static func isTemplateName(_ name: String) -> Bool { isTemplateName(name[...]) }

    /// Whether every `/`-separated component of `key` is a name that can come from a walk (no `..`, `.`, empty,
    /// or dot-directories), i.e. the key cannot climb out of the template directory.
    static func isSafeKey(_ key: String) -> Bool {
        let components = key.split(separator: "/", omittingEmptySubsequences: false)
        guard let last = components.last, isTemplateName(last) else { return false }
        return components.allSatisfy { !$0.isEmpty && !$0.hasPrefix(".") }
    }

    static func join(_ root: String, _ relative: String) -> String {
        relative.isEmpty ? root : (root.hasSuffix("/") ? root + relative : root + "/" + relative)
    }
}

import Glibc

/// Finds the payload templates under a template directory: regular `*.yaml` files at any depth, in path order.
/// Symbolic links are not followed (a link could point outside the directory), and dot-files (editors' temporary
/// files such as `.x.yaml.swp`) are skipped.
public enum TemplateFiles {
    public static func list(under directory: String, maxFiles: Int = 100_000) -> [String] {
        var result: [String] = []
        var pending = [directory.hasSuffix("/") && directory.count > 1 ? String(directory.dropLast()) : directory]
        while let dir = pending.popLast(), result.count < maxFiles {
            guard let names = try? FileReader.list(dir) else { continue }
            for name in names where !name.hasPrefix(".") {
                let path = "\(dir)/\(name)"
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: pending.append(path)
                case S_IFREG where name.hasSuffix(".yaml"): result.append(path)
                default: break
                }
            }
        }
        return result.sorted()
    }
}

import FoundationEssentials
import Glibc

/// Scanning: the full walk that is the source of truth, targeted looks at single keys, and the bookkeeping of what
/// was already reported.
extension TemplateWatcher {
    typealias Findings = (changes: [TemplateChange], rejections: [TemplateRejection])

    /// Walks the whole tree (adding inotify watches on the way while `run` is active), inspects every template,
    /// drops keys whose files are gone, and forgets rejections that were fixed.
    func fullScan() -> Findings {
        var visited: Set<Int32> = []
        let walk = TemplateWalk.walk(root: directory) { relative in
            if let wd = self.addWatch(relative) { visited.insert(wd) }
        }
        if walk.missing {
            if !missingLogged {
                logger.warning(
                    "template directory does not exist; no template events until it appears (checked every \(rescanInterval) s)")
                missingLogged = true
            }
            return ([], [])
        }
        if missingLogged {
            logger.notice("template directory appeared; watching it")
            missingLogged = false
        }
        dropWatches(notIn: visited)

        var findings: Findings = ([], [])
        var rejectedPaths: Set<String> = []
        for rejection in walk.rejections {
            rejectedPaths.insert(rejection.path)
            note(rejection, into: &findings)
        }
        let inspector = makeInspector(settle: true)
        var present: Set<String> = []
        unsettled = []
        for candidate in walk.candidates {
            present.insert(candidate.key)
            if let rejection = examine(candidate, with: inspector, into: &findings) { rejectedPaths.insert(rejection.path) }
        }
        // A rejection not seen in this full pass was fixed or removed: report it again if it comes back.
        reportedRejections = reportedRejections.filter { rejectedPaths.contains($0.key) }

        let unlistable = walk.unlistable.map { $0.isEmpty ? "" : $0 + "/" }
        let gone = acknowledged.keys.filter { key in
            !present.contains(key) && !unlistable.contains { key.hasPrefix($0) }
        }
        for key in gone { forget(key: key) }
        if !gone.isEmpty {
            logger.debug("templates removed: \(gone.sorted().joined(separator: ", "))")
        }
        logScan(findings, templates: walk.candidates.count)
        return findings
    }

    /// Walks one subdirectory that just appeared (created or moved in): watches first, then its templates.
    func scanSubtree(_ relative: String, into findings: inout Findings) {
        let walk = TemplateWalk.walk(root: directory, from: relative) { self.addWatch($0) }
        for rejection in walk.rejections { note(rejection, into: &findings) }
        let inspector = makeInspector(settle: true)
        for candidate in walk.candidates { examine(candidate, with: inspector, into: &findings) }
    }

    /// Looks at the given keys now. `settle: false` for keys an inotify event says were just completed.
    func check(keys: some Sequence<String>, settle: Bool, into findings: inout Findings) {
        let inspector = makeInspector(settle: settle)
        for key in keys {
            let candidate = TemplateWalk.Candidate(key: key, path: TemplateWalk.join(directory, key))
            examine(candidate, with: inspector, into: &findings)
        }
    }

    /// Re-inspects the keys skipped as unsettled.
    func recheckUnsettled() -> Findings {
        var findings: Findings = ([], [])
        let keys = unsettled
        unsettled = []
        check(keys: keys.sorted(), settle: true, into: &findings)
        return findings
    }

    /// Inspects one entry and records the outcome; returns the rejection, if it was one.
    @discardableResult
    func examine(
        _ candidate: TemplateWalk.Candidate, with inspector: TemplateInspector, into findings: inout Findings
    ) -> TemplateRejection? {
        let key = candidate.key
        let cached = hashCache[key]
        let outcome = inspector.inspect(candidate) { signature in
            cached.flatMap { $0.signature == signature ? $0.sha256 : nil }
        }
        switch outcome {
        case .file(let change, let signature, let cacheable):
            hashCache[key] = cacheable ? (signature, change.sha256) : nil
            unsettled.remove(key)
            reportedRejections[candidate.path] = nil
            if acknowledged[key] != change.sha256 { findings.changes.append(change) }
            return nil
        case .unsettled:
            unsettled.insert(key)
            return nil
        case .rejected(let rejection):
            hashCache[key] = nil
            unsettled.remove(key)
            note(rejection, into: &findings)
            return rejection
        case .gone:
            unsettled.remove(key)
            return nil
        }
    }

    /// Reports a rejection unless the same one was reported before.
    func note(_ rejection: TemplateRejection, into findings: inout Findings) {
        guard reportedRejections[rejection.path] != rejection.reason else { return }
        reportedRejections[rejection.path] = rejection.reason
        findings.rejections.append(rejection)
        logger.warning("template rejected: \(rejection.path): \(rejection.reason)")
    }

    /// Drops a deleted key: its acknowledged hash (so the same content re-created fires again) and caches.
    func forget(key: String) {
        if acknowledged.removeValue(forKey: key) != nil { stateDirty = true }
        hashCache[key] = nil
        unsettled.remove(key)
    }

    /// Drops every key under a directory that was deleted or moved away.
    func forget(subtree relative: String) {
        let prefix = relative + "/"
        for key in acknowledged.keys where key.hasPrefix(prefix) { forget(key: key) }
        for key in hashCache.keys where key.hasPrefix(prefix) { hashCache[key] = nil }
        unsettled = unsettled.filter { !$0.hasPrefix(prefix) }
    }

    func makeInspector(settle: Bool) -> TemplateInspector {
        TemplateInspector(
            root: directory, resolvedRoot: TemplateInspector.realPath(directory) ?? directory, maxBytes: maxBytes,
            settleDelay: settle ? settleDelay : 0, now: clock.now())
    }

    private func logScan(_ findings: Findings, templates: Int) {
        logger.debug(
            "template scan: \(templates) templates, \(findings.changes.count) new or changed, \(findings.rejections.count) newly rejected, \(unsettled.count) still being written"
        )
    }
}

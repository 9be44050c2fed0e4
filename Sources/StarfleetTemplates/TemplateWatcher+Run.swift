import StarfleetClock

/// The long-running loop: inotify for immediacy, a full rescan every `rescanInterval` seconds as the truth.
extension TemplateWatcher {
    /// Changes delivered to the callback per call: bounds one enqueue (and one state-file save) when thousands of
    /// templates land at once.
    package static let batchSize = 1_000

    enum Wake: Sendable {
        case inotify, rescan, recheck
    }

    /// Runs until the task is cancelled, then returns. Scans once at start (adding inotify watches), then reacts to
    /// inotify events (IN_CLOSE_WRITE / IN_MOVED_TO of templates, new subdirectories, deletions; an overflow or the
    /// directory itself vanishing triggers a full rescan) and rescans everything every `rescanInterval` seconds of
    /// the clock. A directory missing at start is logged and looked for at every rescan.
    ///
    /// `onChanges` gets each batch (at most ``batchSize`` changes) and must enqueue it durably; when it returns,
    /// the watcher acknowledges the batch. When it throws, the batch is not acknowledged and is reported again by
    /// the next full rescan. Without inotify (instance limit reached), the loop works on rescans alone.
    package func run(onChanges: @Sendable ([TemplateChange], [TemplateRejection]) async throws -> Void) async throws {
        guard !running else {
            throw TemplateWatcherError(
                code: .alreadyRunning, path: directory, message: "run is already active on this watcher; call it once")
        }
        running = true
        defer { running = false }
        let (wakes, continuation) = AsyncStream<Wake>.makeStream()
        do {
            inotify = try Inotify(bufferLimit: eventBufferLimit) { continuation.yield(.inotify) }
        } catch {
            logger.error("\(error)")
        }
        defer {
            inotify?.cancel()
            inotify = nil
            watches = [:]
            continuation.finish()
        }
        guard await deliver(fullScan(), to: onChanges) else { return }
        let clock = self.clock
        let interval = rescanInterval
        let settle = settleDelay
        await withDiscardingTaskGroup { group in
            group.addTask {
                while (try? await clock.sleep(seconds: interval)) != nil { continuation.yield(.rescan) }
            }
            var recheckPending = false
            // Files the first scan found still settling (written just before start) need their re-check too.
            if !unsettled.isEmpty {
                recheckPending = true
                group.addTask {
                    if (try? await clock.sleep(seconds: settle)) != nil { continuation.yield(.recheck) }
                }
            }
            for await wake in wakes {
                let findings: Findings
                switch wake {
                case .inotify: findings = handleEvents() ?? fullScan()
                case .rescan: findings = fullScan()
                case .recheck:
                    recheckPending = false
                    findings = recheckUnsettled()
                }
                persistRemovalsIfNeeded()
                guard await deliver(findings, to: onChanges) else { break }
                // Files skipped as possibly half-written get one short re-check instead of waiting a whole interval.
                if !unsettled.isEmpty && !recheckPending {
                    recheckPending = true
                    group.addTask {
                        if (try? await clock.sleep(seconds: settle)) != nil { continuation.yield(.recheck) }
                    }
                }
            }
            group.cancelAll()
        }
    }

    /// Hands findings to the callback in batches and acknowledges each one it accepted. False once cancelled.
    private func deliver(
        _ findings: Findings, to onChanges: @Sendable ([TemplateChange], [TemplateRejection]) async throws -> Void
    ) async -> Bool {
        if Task.isCancelled { return false }
        guard !findings.changes.isEmpty || !findings.rejections.isEmpty else { return true }
        var start = 0
        repeat {
            let batch = Array(findings.changes[start..<min(start + Self.batchSize, findings.changes.count)])
            do {
                try await onChanges(batch, start == 0 ? findings.rejections : [])
            } catch is CancellationError {
                return false
            } catch {
                logger.error(
                    "enqueueing \(findings.changes.count - start) template change(s) failed: \(error); they are reported again at the next rescan"
                )
                return !Task.isCancelled
            }
            do {
                try acknowledge(batch)
            } catch {
                logger.error(
                    "template changes were enqueued but their hashes not saved: \(error); a restart may report them again")
            }
            start += Self.batchSize
        } while start < findings.changes.count
        return !Task.isCancelled
    }
}

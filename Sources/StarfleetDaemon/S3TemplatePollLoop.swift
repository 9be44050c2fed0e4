import FoundationEssentials
import Logging
import StarfleetAWS
import StarfleetClock
import StarfleetCore
import StarfleetCrypto

/// Polls `STARFLEET.TemplateBucket` every `S3PollIntervalSeconds` (first at start) and turns each new or changed
/// template into Starfleet's S3 event on the Starbase queue, as the template directory's watcher does. The
/// acknowledged ETags are persisted after each pass that changed them, so unchanged templates do not fire again
/// after a restart. While S3 fails the passes back off (doubling up to five minutes, with jitter) and each failure
/// is logged; nothing else waits for S3, and what was not acknowledged is retried by the next pass. The loop takes no
/// watchdog slot on purpose: a slow S3 must not get the daemon killed.
struct S3TemplatePollLoop: Sendable {
    struct State: Codable, Equatable {
        var version = 1
        var bucket: String
        var etags: [String: String]
    }

    let poller: S3TemplatePoller
    let statePath: String
    let interval: Double
    let clock: any WallClock
    let logger: Logger
    let metrics: DaemonMetrics?
    let fire: @Sendable (_ key: String, _ event: FanOutEvent) async throws -> Void

    /// Longest wait between passes while S3 keeps failing (or the interval, when that is longer).
    static let maxBackoffSeconds: Double = 300

    /// Seconds until the next pass: the interval while passes succeed; after `failures` failed passes in a row,
    /// twice the interval doubling per failure up to ``maxBackoffSeconds``, half of it random.
    static func delay(interval: Double, failures: Int, unit: Double) -> Double {
        guard failures > 0 else { return interval }
        return BackoffPolicy(initialSeconds: 2 * interval, maxSeconds: max(interval, maxBackoffSeconds))
            .delay(afterAttempt: failures, unit: unit)
    }

    func run(stop: StopToken) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.pollUntilCancelled() }
            // A stop cancels the pass between calls (an HTTP attempt in flight finishes first, within its timeout).
            group.addTask { while !stop.isStopped { try? await clock.sleep(seconds: 0.2) } }
            await group.next()
            group.cancelAll()
        }
    }

    func pollUntilCancelled() async {
        var state = loadState()
        var failures = 0
        let bucket = poller.bucket.name
        logger.info(
            "polling the template bucket",
            metadata: [
                "bucket": "\(bucket)", "prefixes": "\(poller.prefixes.joined(separator: " "))", "interval": "\(interval)",
                "acknowledged": "\(state.etags.count)",
            ])
        while !Task.isCancelled {
            let outcome = await poller.poll(seen: state.etags, fire: fire)
            if outcome.etags != state.etags {
                state.etags = outcome.etags
                save(state)
            }
            metrics?.templateEvents(queued: outcome.fired.count, rejected: outcome.rejected.count)
            if !outcome.alreadyFannedOut.isEmpty {
                logger.info(
                    "template changes already fanned out by the fleet were acknowledged without a fan-out",
                    metadata: ["templates": "\(outcome.alreadyFannedOut.joined(separator: " "))"])
            }
            for (operation, count) in outcome.failures { metrics?.s3PollFailed(operation: operation, count: count) }
            if outcome.errors.isEmpty {
                if failures > 0 {
                    logger.notice(
                        "the template bucket answers again", metadata: ["bucket": "\(bucket)", "failed_polls": "\(failures)"])
                }
                failures = 0
            } else {
                failures += 1
            }
            let wait = Self.delay(interval: interval, failures: failures, unit: Double.random(in: 0..<1))
            for error in outcome.errors {
                logger.error(
                    "S3 template poll: \(error)",
                    metadata: [
                        "bucket": "\(bucket)", "failed_polls": "\(failures)", "retry_in": "\(Int(wait.rounded(.up)))s",
                    ])
            }
            logger.debug(
                "template bucket polled",
                metadata: [
                    "bucket": "\(bucket)", "keys": "\(outcome.etags.count)", "fired": "\(outcome.fired.count)",
                    "errors": "\(outcome.errors.count)",
                ])
            do {
                try await clock.sleep(seconds: wait)
            } catch {
                return
            }
        }
    }

    /// The acknowledged set; empty on a first start, for another bucket, or when the file is unreadable (then
    /// every template fires once: at-least-once beats missing a change).
    func loadState() -> State {
        let empty = State(bucket: poller.bucket.name, etags: [:])
        guard let state = JSONStateFile.read(State.self, from: statePath) else {
            logger.info(
                "no S3 template state yet; every template in the bucket will be reported once", metadata: ["path": "\(statePath)"]
            )
            return empty
        }
        guard state.version == 1, state.bucket == poller.bucket.name else {
            logger.notice(
                "the S3 template state is for another bucket or version; every template will be reported once",
                metadata: ["path": "\(statePath)", "was": "\(state.bucket)"])
            return empty
        }
        return state
    }

    private func save(_ state: State) {
        do {
            try JSONStateFile.write(state, to: statePath, mode: 0o600)
        } catch {
            // The events are queued; an unsaved acknowledgement only means they fire again after a restart.
            logger.error("could not save the S3 template state: \(error)", metadata: ["path": "\(statePath)"])
        }
    }
}

extension S3TemplatePollLoop {
    /// The poll loop for a configuration with `STARFLEET.TemplateBucket`, firing through the Starbase exactly as the
    /// template directory's watcher does; nil without a bucket (then the directory is watched instead).
    static func make(configuration: Configuration, starbase: Starbase, environment env: DaemonEnvironment) -> S3TemplatePollLoop?
    {
        guard let name = configuration.starfleet.templateBucket else { return nil }
        env.logger.notice(
            "templates come from the template bucket; the template directory is not watched",
            metadata: ["bucket": "\(name)", "templates": "\(configuration.starfleet.templateDirectory)"])
        let s3 = env.aws.s3(region: env.aws.deploymentRegion(configuration))
        let bucket = S3TemplateBucket(s3: s3, name: name)
        let prefixes = configuration.enabledWorkers.filter { $0.invocationSources.contains(.s3) }.map(\.templatePrefix)
        let clock = env.clock
        let ledger = S3TemplateFanOutLedger(s3: s3, bucket: name, now: { clock.now() })
        return S3TemplatePollLoop(
            poller: S3TemplatePoller(
                bucket: bucket, prefixes: prefixes, logger: env.logger, ledger: ledger,
                host: HostName.configured(configuration.starfleet.hostName)),
            statePath: env.paths.s3TemplateState,
            interval: Double(configuration.starfleet.s3PollIntervalSeconds), clock: clock, logger: env.logger,
            metrics: env.metrics,
            fire: { key, event in try await starbase.taskTemplateChange(key: key, event: event) })
    }
}

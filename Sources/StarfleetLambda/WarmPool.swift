import FoundationEssentials
import Glibc
import Logging
import StarfleetClock
import StarfleetCore
import StarfleetDaemon
import StarfleetProcess
import StarfleetWorkerKit
import StarfleetWorkers

/// The warm processes of one Lambda-runtime worker (Runtime: python, nodejs, provided): up to `Concurrency`
/// long-lived processes, each taking one invocation at a time through the Runtime API, as Lambda reuses an
/// execution environment. A process that dies is replaced on demand; one that ran `MaxInvocationsPerProcess`
/// invocations or grew past `MemorySize` is replaced after its invocation; on a timeout its process group is killed
/// and the invocation fails (a fresh process serves the next). Every invocation ends exactly once: with the
/// handler's response or error, or with the daemon's own failure (timeout, exit, init error).
actor WarmPool {
    struct Member {
        let id: Int
        /// The secret path prefix in this process's `AWS_LAMBDA_RUNTIME_API`: its requests must carry it.
        let token: String
        /// Set by the spawning thread the moment the process exists (before it can reach the Runtime API).
        let pidBox = Locked<pid_t?>(nil)
        var pid: pid_t? { pidBox.value }
        /// The invocation it runs; nil while it starts or waits in `…/next`.
        var job: LambdaJob?
        /// Its parked `…/next` request.
        var waiter: CheckedContinuation<LambdaJob?, Never>?
        var invocations = 0
        /// It asked for an invocation at least once (its handler loaded).
        var initialized = false
        var initError: LambdaErrorDocument?
        /// Asked to leave (recycled, timed out, stopping): it gets no more invocations.
        var retiring = false
        /// The pool's code generation when it started: older than the pool's, it leaves after its invocation.
        var code = 0
        let output: WarmProcessOutput
        /// Its `/proc/<pid>/statm`, opened at its first MemorySize check.
        var memory: ResidentMemoryProbe?
    }

    let worker: WorkerConfiguration
    let launch: WarmLaunch
    let logger: Logger
    /// Whether CodeDirectory changes reload the pool (``reload(reason:)`` works either way).
    private let watchesCode: Bool
    /// Cold starts and process counts for /metrics and the console's chart.
    let activity: WarmProcessActivity?
    private let runner: ProcessRunner
    private let spawnRequests: AsyncStream<Int>
    private let spawnContinuation: AsyncStream<Int>.Continuation

    private var members: [Int: Member] = [:]
    /// pid → member id, written by the spawning thread (so a connection from a process just spawned is known).
    private nonisolated let pidTable = Locked<[pid_t: Int]>([:])
    private func memberId(_ pid: pid_t) -> Int? { pidTable.value[pid] }
    /// Runtime token → that process's pid box, from spawn until the process is reaped.
    private nonisolated let tokenTable = Locked<[String: Locked<pid_t?>]>([:])
    private var pending: [LambdaJob] = []
    private(set) var outcomes: [String: CheckedContinuation<LambdaJobOutcome, Never>] = [:]
    private var nextMemberId = 0
    /// Bumped by each reload: processes started before it serve no invocation after their current one.
    private var codeGeneration = 0
    private(set) var stopping = false
    private var drained: CheckedContinuation<Void, Never>?
    /// Processes started since the pool began (tests count them; so does the metric).
    private(set) var spawned = 0

    /// What the bounded wait of a synchronous invoke for a busy slot is timed with.
    let clock: any WallClock
    /// Synchronous invokes waiting for a busy slot: the tickets still waiting, and the parked ones' continuations.
    private var waitingTickets: Set<Int> = []
    private var slotWaiters: [Int: CheckedContinuation<Bool, Never>] = [:]
    private var nextTicket = 0
    /// TimeoutSeconds of the submitted invocations, timed by one watch (``watchDeadlines(until:)``).
    var deadlines = InvocationDeadlines()
    /// The watch, parked while nothing runs; or asleep until `watchTarget`, in `watchSleep`.
    var deadlineWatcher: CheckedContinuation<Void, Never>?
    var watchTarget: Double?
    var watchSleep: Task<Void, Never>?

    /// `clock` times the bounded wait of a synchronous invoke and, with `watchesCode`, debounces code changes.
    init(
        worker: WorkerConfiguration, launch: WarmLaunch, logger: Logger, clock: any WallClock = SystemWallClock(),
        watchesCode: Bool = false, activity: WarmProcessActivity? = nil
    ) {
        self.watchesCode = watchesCode
        self.worker = worker
        self.launch = launch
        self.clock = clock
        self.activity = activity
        var log = logger
        log[metadataKey: "worker"] = "\(worker.name)"
        self.logger = log
        self.runner = ProcessRunner(logger: log)
        (spawnRequests, spawnContinuation) = AsyncStream.makeStream(of: Int.self)
    }

    /// The pids of the pool's processes (the Runtime API admits connections from these only).
    nonisolated var pids: [pid_t] { Array(pidTable.value.keys) }

    /// Whether `token` is the Runtime API token of one of this pool's processes, and that process's pid once it
    /// has started (`.some(nil)` in the moment between spawn and exec).
    nonisolated func process(holding token: String) -> pid_t?? {
        guard let box = tokenTable.withLock({ $0[token] }) else { return nil }
        return .some(box.value)
    }

    // MARK: Running

    /// Supervises the processes until `stop`: then takes no new invocation, lets the running ones finish, ends the
    /// processes (SIGTERM, SIGKILL after 2 s) and returns once every one has been reaped.
    func run(stop: StopToken) async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                await stop.wait()
                await self.drain()
            }
            if watchesCode {
                let clock = self.clock
                group.addTask { await self.reloadOnCodeChange(clock: clock, until: stop) }
            }
            group.addTask { await self.watchDeadlines() }
            for await id in spawnRequests {
                group.addTask { await self.supervise(id) }
            }
        }
    }

    private func drain() async {
        stopping = true
        if !outcomes.isEmpty {
            await withCheckedContinuation { drained = $0 }
        }
        for id in members.keys { retire(id, signal: SIGTERM, reason: "stopping") }
        spawnContinuation.finish()
        wakeDeadlineWatch()
    }

    private func supervise(_ id: Int) async {
        guard let member = members[id] else { return }
        let output = member.output
        let pidBox = member.pidBox
        let table = pidTable
        let observer = ProcessObserver(
            started: { pid in
                pidBox.withLock { $0 = pid }
                table.withLock { $0[pid] = id }
            },
            output: { stream, bytes in output.append(stream, bytes) })
        let result: Result<ProcessOutcome, any Error>
        do {
            result = .success(try await runner.run(launch.invocation(token: member.token), observer: observer))
        } catch {
            result = .failure(error)
        }
        output.flush()
        tokenTable.withLock { _ = $0.removeValue(forKey: member.token) }
        exited(id, result)
    }

    private func spawn() {
        guard !stopping else { return }
        let id = nextMemberId
        nextMemberId += 1
        spawned += 1
        var member = Member(id: id, token: RuntimeToken.make(), output: WarmProcessOutput(logger: logger))
        member.code = codeGeneration
        members[id] = member
        activity?.coldStart(worker: worker.name, processes: members.count)
        tokenTable.withLock { $0[member.token] = member.pidBox }
        spawnContinuation.yield(id)
    }

    private var live: Int { members.values.filter { !$0.retiring }.count }

    // MARK: Invocations (the executor's side)

    /// Runs one invocation on a warm process; returns its outcome. `timeout` seconds after it was submitted (on the
    /// pool's clock) the daemon gives up: the process running it (if any) is killed and the invocation fails.
    func submit(_ job: LambdaJob, timeout: Int) async -> LambdaJobOutcome {
        if stopping {
            return .failure(WorkerFailure("\(worker.name) is stopping; the invocation was not started"))
        }
        let deadline = clock.elapsedSeconds() + Double(timeout)
        deadlines.add(job.requestId, at: deadline, seconds: timeout)
        if deadlineWatcher != nil || watchTarget.map({ deadline < $0 }) == true { wakeDeadlineWatch() }
        return await withCheckedContinuation { continuation in
            outcomes[job.requestId] = continuation
            if let id = members.values.first(where: { $0.waiter != nil && !$0.retiring })?.id {
                assign(job, to: id)
            } else {
                pending.append(job)
                if live < worker.concurrency + extraForDirectInvokes { spawn() }
            }
        }
    }

    /// Direct invokes (the Invoke API, a worker's `invoke`) come on top of the queue's `Concurrency`: a worker that
    /// synchronously invokes itself must not wait on its own slot forever.
    private var extraForDirectInvokes: Int { max(0, pending.count - worker.concurrency) > 0 ? 1 : 0 }

    // MARK: Admission of synchronous invokes

    /// Whether a synchronous invoke may run now: a slot of `Concurrency` is free, or one frees within `seconds` on the
    /// pool's clock. Otherwise the caller is throttled (429), as Lambda throttles a function at its reserved concurrency:
    /// never queued without bound.
    func admitSynchronous(within seconds: Double) async -> Bool {
        if outcomes.count < worker.concurrency { return true }
        let ticket = nextTicket
        nextTicket += 1
        waitingTickets.insert(ticket)
        let clock = self.clock
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask { await self.waitForSlot(ticket) }
            group.addTask {
                try? await clock.sleep(seconds: seconds)
                await self.lapse(ticket)
                return false
            }
            let admitted = await group.next() ?? false
            group.cancelAll()
            return admitted
        }
    }

    private func waitForSlot(_ ticket: Int) async -> Bool {
        guard waitingTickets.contains(ticket) else { return false }
        if outcomes.count < worker.concurrency {
            waitingTickets.remove(ticket)
            return true
        }
        return await withCheckedContinuation { slotWaiters[ticket] = $0 }
    }

    /// The wait of `ticket` is over: its time ran out (or it was admitted, and this is its timer ending).
    private func lapse(_ ticket: Int) {
        guard waitingTickets.remove(ticket) != nil else { return }
        slotWaiters.removeValue(forKey: ticket)?.resume(returning: false)
    }

    /// The invocation's time is up: fail it with Lambda's timeout error, and kill the process running it (its state is
    /// unknown).
    func timedOut(_ requestId: String, after seconds: Int) {
        let failure = LambdaFunctionErrors.timedOut(requestId: requestId, seconds: seconds, worker: worker.name)
        if let index = pending.firstIndex(where: { $0.requestId == requestId }) {
            pending.remove(at: index)
            var unstarted = WorkerFailure("\(worker.name): no process took the invocation within TimeoutSeconds (\(seconds) s)")
            unstarted.timedOut = true
            finish(requestId, .failure(unstarted))
            return
        }
        guard let id = members.values.first(where: { $0.job?.requestId == requestId })?.id, let member = members[id] else {
            return
        }
        var timedOut = failure
        // The line Lambda writes to the function's log.
        logger.error(
            "\(requestId) \(LambdaFunctionErrors.taskTimedOut(seconds: seconds))",
            metadata: ["message_id": "\(members[id]?.job?.messageId ?? "-")"])
        let tail = member.output.stderrTail
        timedOut.stderrTail = tail.isEmpty ? nil : tail
        members[id]?.job = nil
        finish(requestId, .failure(timedOut))
        retire(id, signal: SIGKILL, reason: "timed out")
    }

    private func assign(_ job: LambdaJob, to id: Int) {
        guard let member = members[id], let waiter = member.waiter else { return }
        members[id]?.waiter = nil
        members[id]?.job = job
        var log = logger
        log[metadataKey: "message_id"] = "\(job.messageId)"
        if let account = job.account { log[metadataKey: "account_id"] = "\(account)" }
        if let trace = job.trace { log[metadataKey: "trace_id"] = "\(trace.root)" }
        if let pid = member.pid { log[metadataKey: "pid"] = "\(pid)" }
        member.output.begin(log)
        waiter.resume(returning: job)
    }

    private func finish(_ requestId: String, _ outcome: LambdaJobOutcome) {
        deadlines.remove(requestId)
        guard let continuation = outcomes.removeValue(forKey: requestId) else { return }
        continuation.resume(returning: outcome)
        if let ticket = slotWaiters.keys.min(), let waiter = slotWaiters.removeValue(forKey: ticket) {
            waitingTickets.remove(ticket)
            waiter.resume(returning: true)
        }
        if outcomes.isEmpty, let drained {
            self.drained = nil
            drained.resume()
        }
        if stopping && outcomes.isEmpty { wakeDeadlineWatch() }
    }

    // MARK: Hot reload

    /// New code: each process leaves after its current invocation (an idle one at once, replaced by a fresh one), so
    /// no invocation fails because of it and none after the next is served by old code. Returns how many processes
    /// were asked to leave.
    @discardableResult
    func reload(reason: String) -> Int {
        codeGeneration += 1
        var idle: [Int] = []
        var busy = 0
        for (id, member) in members where !member.retiring {
            if member.waiter != nil { idle.append(id) } else { busy += 1 }
        }
        for id in idle {
            retire(id, signal: SIGTERM, reason: "code reloaded")
            spawn()
        }
        logger.notice(
            "reloading the worker's code: \(idle.count) idle warm process(es) replaced now, \(busy) after their current invocation",
            metadata: ["reason": "\(reason)"])
        return idle.count + busy
    }

    /// Reloads when the CodeDirectory changes, once a burst of writes has settled (``QuietPeriod`` on `clock`).
    private func reloadOnCodeChange(clock: any WallClock, until stop: StopToken) async {
        let (changes, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let period = Locked(QuietPeriod())
        let watch = CodeWatch(root: worker.process.codeDirectory, logger: logger) {
            period.withLock { $0.noteChange(at: clock.now()) }
            continuation.yield()
        }
        defer { watch.cancel() }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await stop.wait() }
            group.addTask {
                for await _ in changes {
                    while let deadline = period.withLock({ $0.deadline }) {
                        do { try await clock.sleep(until: deadline) } catch { return }
                        if period.withLock({ $0.fire(at: clock.now()) }) {
                            await self.reload(reason: "CodeDirectory \(self.worker.process.codeDirectory) changed")
                        }
                    }
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    // MARK: The Runtime API's side

    /// `GET …/invocation/next` from process `pid`: the next invocation, waiting for one; nil when the process is
    /// to leave (it is then ended).
    func next(pid: pid_t) async -> LambdaJob? {
        guard let id = memberId(pid), let member = members[id] else { return nil }
        if let job = member.job {
            // Asked again without answering: that invocation is over, and failed.
            members[id]?.job = nil
            finish(
                job.requestId,
                .failure(WorkerFailure("the runtime asked for the next invocation without answering \(job.requestId)")))
        }
        members[id]?.initialized = true
        if member.retiring { return nil }
        if member.code < codeGeneration {
            // Its invocation (if any) is answered; the code changed since it started: a fresh process serves the next.
            retire(id, signal: SIGTERM, reason: "code reloaded")
            if !pending.isEmpty && live < worker.concurrency { spawn() }
            return nil
        }
        if shouldRecycle(id) {
            retire(id, signal: SIGTERM, reason: "recycled")
            if !pending.isEmpty && live < worker.concurrency { spawn() }
            return nil
        }
        return await withCheckedContinuation { continuation in
            if let old = members[id]?.waiter { old.resume(returning: nil) }
            members[id]?.waiter = continuation
            if !pending.isEmpty { assign(pending.removeFirst(), to: id) }
        }
    }

    private func shouldRecycle(_ id: Int) -> Bool {
        guard let member = members[id] else { return false }
        if let limit = worker.process.maxInvocationsPerProcess, member.invocations >= limit { return true }
        guard member.invocations > 0, let pid = member.pid else { return false }
        if member.memory == nil { members[id]?.memory = ResidentMemoryProbe(pid: pid) }
        if let rss = members[id]?.memory?.residentBytes, rss > worker.process.memorySize << 20 {
            logger.notice(
                "warm process passed MemorySize; replacing it",
                metadata: ["pid": "\(pid)", "rss_mb": "\(rss >> 20)", "memory_size": "\(worker.process.memorySize)"])
            return true
        }
        return false
    }

    /// The invocation process `pid` runs now, if any (an alert it sends concerns that payload).
    func currentJob(pid: pid_t) -> LambdaJob? {
        memberId(pid).flatMap { members[$0]?.job }
    }

    enum Answer { case accepted, unknownRequest }

    /// `POST …/invocation/{id}/response` or `…/error` from process `pid`: only the process running that
    /// invocation may answer it.
    func answer(pid: pid_t, requestId: String, _ outcome: (WarmProcessOutput) -> LambdaJobOutcome) -> Answer {
        guard let id = memberId(pid), let member = members[id], let job = member.job, job.requestId == requestId else {
            return .unknownRequest
        }
        members[id]?.job = nil
        members[id]?.invocations += 1
        let result = outcome(member.output)
        finish(requestId, result)
        return .accepted
    }

    /// `POST …/runtime/init/error`: the handler could not be loaded. The process is ended; what waits fails with
    /// this error (as each invocation of a Lambda function whose init fails does).
    func initError(pid: pid_t, _ document: LambdaErrorDocument) -> Bool {
        guard let id = memberId(pid) else { return false }
        members[id]?.initError = document
        logger.error("the handler could not be loaded: \(document.errorType ?? "Error"): \(document.errorMessage ?? "")")
        retire(id, signal: SIGTERM, reason: "init error")
        return true
    }

    private func retire(_ id: Int, signal: Int32, reason: String) {
        guard let member = members[id] else { return }
        members[id]?.retiring = true
        if let waiter = member.waiter {
            members[id]?.waiter = nil
            waiter.resume(returning: nil)
        }
        if let pid = member.pid {
            logger.debug("ending warm process", metadata: ["pid": "\(pid)", "reason": "\(reason)"])
            // The leader is not reaped until its supervisor sees it exit, so its pid (the group id) is still ours.
            kill(-pid, signal)
        }
    }

    private func exited(_ id: Int, _ result: Result<ProcessOutcome, any Error>) {
        guard let member = members.removeValue(forKey: id) else { return }
        activity?.processEnded(worker: worker.name, processes: members.count)
        if let pid = member.pid { pidTable.withLock { $0[pid] = nil } }
        member.waiter?.resume(returning: nil)
        let how: String
        switch result {
        case .success(let outcome):
            switch outcome.termination {
            case .exited(let status): how = "exited with status \(status)"
            case .signaled(let signal): how = "was killed by signal \(signal)"
            case .timedOut: how = "was stopped"
            }
        case .failure(let error): how = "could not start: \(error)"
        }
        let tail = member.output.stderrTail
        if let job = member.job {
            finish(
                job.requestId,
                .failure(
                    WorkerFailure(
                        "\(worker.name)'s process \(how) during the invocation",
                        stderrTail: tail.isEmpty ? nil : tail)))
        }
        if !member.retiring || member.initError != nil {
            logger.warning("warm process \(how)", metadata: ["pid": "\(member.pid.map { "\($0)" } ?? "-")"])
        }
        // A process that never loaded its handler fails what waits (no respawn loop); otherwise replace it on demand.
        // One started before a code change (it may have read a file mid-save) leaves the verdict to the new code.
        if (!member.initialized || member.initError != nil) && member.code == codeGeneration {
            let failure =
                member.initError?.failure(prefix: "init error", stderrTail: tail)
                ?? WorkerFailure(
                    "\(worker.name)'s process \(how) before it asked for an invocation", stderrTail: tail.isEmpty ? nil : tail)
            let waiting = pending
            pending = []
            for job in waiting { finish(job.requestId, .failure(failure)) }
        } else if !pending.isEmpty && live < worker.concurrency {
            spawn()
        }
    }
}

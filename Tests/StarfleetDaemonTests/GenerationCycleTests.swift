import StarfleetClock
import StarfleetCore
import StarfleetQueue
import StarfleetSystemd
import StarfleetTestSupport
import Testing

@testable import StarfleetDaemon

/// The Supervisor's reload and restart logic (``GenerationCycle``) with stand-in generations: no daemon, no signals.
/// A reload swaps generations only for a configuration that loads and whose queues open; the running generation
/// drains before the next starts; a shutdown starts nothing new; a generation that ends on its own ends the cycle.
@Suite(.timeLimit(.minutes(1))) struct GenerationCycleTests {
    static func yaml(_ workers: [String]) -> String {
        "STARFLEET: {TemplateDirectory: templates}\n"
            + workers.map {
                "\($0): {Enabled: true, Command: [/bin/true], FanOutStrategy: SINGLE_INVOCATION, TemplatePrefix: \($0)/, InvocationSources: [S3]}\n"
            }.joined()
    }

    /// One stand-in generation: which workers it ran, whether it was told to stop, whether it has returned.
    struct Run: Sendable, Equatable {
        var workers: [String]
        var stopped = false
        var ended = false
    }

    final class Rig: Sendable {
        let dir: TemporaryDirectory
        let clock = ManualClock()
        let queues: QueueSet
        let status: StatusBoard
        let runs = Watched<[Run]>([])
        /// Generations whose drain the test holds: they return only once released after their stop.
        let holdDrain: Bool
        let drained = Watched<Int>(0)
        let cycle: GenerationCycle

        init(
            holdDrain: Bool = false, endOnItsOwn: Bool = false,
            check: @escaping @Sendable (Configuration) -> [Diagnostic] = { _ in [] }
        ) throws {
            dir = try TemporaryDirectory("cycle")
            let initial = try dir.configuration(GenerationCycleTests.yaml(["A"]))
            queues = QueueSet(stateDirectory: dir.path("state"), clock: clock, logger: .quiet)
            status = StatusBoard(startedAt: clock.now(), pid: 1)
            self.holdDrain = holdDrain
            let runs = self.runs
            let drained = self.drained
            cycle = GenerationCycle(
                initial: initial, configDirectory: dir.path("config"), queues: queues, status: status,
                notifier: .disabled, clock: clock, logger: .quiet, check: check
            ) { configuration, stop in
                let index = runs.update { r in
                    r.append(Run(workers: configuration.enabledWorkers.map(\.name)))
                    return r.count - 1
                }
                if endOnItsOwn {
                    runs.update { $0[index].ended = true }
                    return
                }
                await stop.wait()
                runs.update { $0[index].stopped = true }
                if holdDrain { try? await drained.wait(for: "drain \(index)", timeout: .seconds(3600)) { $0 > index } }
                runs.update { $0[index].ended = true }
            }
        }

        func rewrite(_ workers: [String]) throws { try dir.write("config/c.yaml", GenerationCycleTests.yaml(workers)) }

        /// Once the first generation runs, reloads with `workers` and waits until that generation is told to stop.
        func reloadOnceRunning(_ workers: [String]) async throws {
            try await waitForRuns(1)
            try rewrite(workers)
            cycle.reload()
            try await runs.wait(for: "the first generation to be stopped") { $0.first?.stopped == true }
        }

        func waitForRuns(_ count: Int) async throws {
            try await runs.wait(for: "\(count) generation(s) to start") { $0.count >= count }
        }

        func close() async {
            await queues.closeAll()
            dir.remove()
        }
    }

    @Test func aGoodReloadDrainsTheRunningGenerationAndStartsTheNewConfiguration() async throws {
        let rig = try Rig()
        async let cycle: Void = rig.cycle.run()
        try await rig.waitForRuns(1)
        try rig.rewrite(["A", "B"])
        rig.cycle.reload()
        // The new worker's queue is open before the running generation is stopped.
        #expect(rig.queues.all["B"] != nil)
        try await rig.waitForRuns(2)
        #expect(rig.runs.value.map(\.workers) == [["A"], ["A", "B"]])
        #expect(rig.runs.value[0] == Run(workers: ["A"], stopped: true, ended: true))
        let reload = rig.status.snapshot(now: rig.clock.now(), queues: [:]).lastReload
        #expect(reload?.applied == true && reload?.message == "configuration reloaded")
        rig.cycle.shutdown()
        await cycle
        #expect(rig.runs.value.count == 2 && rig.runs.value[1].ended)
        await rig.close()
    }

    @Test func aBrokenConfigurationIsRefusedAndTheRunningGenerationKept() async throws {
        let rig = try Rig()
        async let cycle: Void = rig.cycle.run()
        try await rig.waitForRuns(1)
        try rig.dir.write(
            "config/c.yaml",
            "STARFLEET: {TemplateDirectory: templates}\nA: {Enabled: true, Command: [/bin/true], FanOutStrategy: NOT_A_STRATEGY, TemplatePrefix: A/, InvocationSources: [S3]}\n"
        )
        rig.cycle.reload()
        let reload = rig.status.snapshot(now: rig.clock.now(), queues: [:]).lastReload
        #expect(reload?.applied == false)
        #expect(reload?.message == "the new configuration has errors; kept the running one")
        #expect(rig.runs.value == [Run(workers: ["A"])])
        rig.cycle.shutdown()
        await cycle
        #expect(rig.runs.value == [Run(workers: ["A"], stopped: true, ended: true)])
        await rig.close()
    }

    @Test func aConfigurationWhosePythonWorkerHasNoRuntimeClientIsRefused() async throws {
        // Issue 20, item 8: otherwise every payload of the new worker would be dead-lettered.
        let clients = RuntimeClients(directory: "/nonexistent/runtimes", searched: ["/nonexistent/runtimes"], explicit: true)
        let rig = try Rig(check: { clients.diagnostics($0) })
        async let cycle: Void = rig.cycle.run()
        try await rig.waitForRuns(1)
        try rig.dir.write(
            "config/c.yaml",
            GenerationCycleTests.yaml(["A"])
                + "P: {Enabled: true, Runtime: python, Handler: main.handler, FanOutStrategy: SINGLE_INVOCATION, TemplatePrefix: P/, InvocationSources: [S3]}\n"
        )
        rig.cycle.reload()
        let reload = rig.status.snapshot(now: rig.clock.now(), queues: [:]).lastReload
        #expect(reload?.applied == false)
        #expect(rig.runs.value == [Run(workers: ["A"])])
        rig.cycle.shutdown()
        await cycle
        await rig.close()
    }

    @Test func aConfigurationWhoseQueuesCannotBeOpenedIsRefused() async throws {
        let rig = try Rig()
        async let cycle: Void = rig.cycle.run()
        try await rig.waitForRuns(1)
        // A file where B's queue folder must go.
        try rig.dir.write("state/queues/B", "in the way")
        try rig.rewrite(["A", "B"])
        rig.cycle.reload()
        let reload = rig.status.snapshot(now: rig.clock.now(), queues: [:]).lastReload
        #expect(reload?.applied == false)
        #expect(reload?.message.contains("queues cannot be opened") == true)
        #expect(rig.runs.value == [Run(workers: ["A"])])
        rig.cycle.shutdown()
        await cycle
        await rig.close()
    }

    @Test func reloadsWhileAGenerationDrainsStartOnlyTheLatestConfiguration() async throws {
        let rig = try Rig(holdDrain: true)
        async let cycle: Void = rig.cycle.run()
        try await rig.reloadOnceRunning(["A", "B"])
        // Its workers still drain; a second reload meanwhile replaces the first one's configuration.
        try rig.rewrite(["A", "C"])
        rig.cycle.reload()
        #expect(rig.runs.value.count == 1)
        rig.drained.update { $0 = 1 }
        try await rig.waitForRuns(2)
        #expect(rig.runs.value.map(\.workers) == [["A"], ["A", "C"]])
        rig.cycle.shutdown()
        rig.drained.update { $0 = 2 }
        await cycle
        #expect(rig.runs.value.count == 2)
        await rig.close()
    }

    @Test func aShutdownWhileAReloadDrainsStartsNoNewGeneration() async throws {
        let rig = try Rig(holdDrain: true)
        async let cycle: Void = rig.cycle.run()
        try await rig.reloadOnceRunning(["A", "B"])
        rig.cycle.shutdown()
        rig.drained.update { $0 = 1 }
        await cycle
        #expect(rig.runs.value == [Run(workers: ["A"], stopped: true, ended: true)])
        await rig.close()
    }

    @Test func aGenerationThatEndsOnItsOwnEndsTheCycle() async throws {
        // What the Supervisor "restarts" is only a reloaded configuration: a generation that returns by itself (its
        // queues could not be opened) ends the cycle, so the daemon exits and systemd's Restart= takes over.
        let rig = try Rig(endOnItsOwn: true)
        await rig.cycle.run()
        #expect(rig.runs.value == [Run(workers: ["A"], ended: true)])
        await rig.close()
    }
}

import StarfleetClock
import StarfleetCore
import StarfleetDaemon
import StarfleetWorkerKit

/// The hub is the daemon's Lambda runtime: each generation's warm pools are installed into it, and the Runtime and
/// Invoke APIs read them from it.
extension WorkerRuntimeHub: LambdaRuntime {
    func generation(
        _ configuration: Configuration, launches: [String: WarmLaunch], region: String, clock: any WallClock
    ) -> any LambdaGeneration {
        var pools: [String: WarmPool] = [:]
        for worker in configuration.enabledWorkers {
            guard let launch = launches[worker.name] else { continue }
            pools[worker.name] = WarmPool(
                worker: worker, launch: launch, logger: logger, clock: clock, watchesCode: true, activity: warmActivity)
        }
        let ships = pools.mapValues { pool -> any WorkerShip in
            LambdaWorkerShip(configuration: pool.worker, pool: pool, region: region, clock: clock)
        }
        return WarmGeneration(hub: self, configuration: configuration, pools: pools, ships: ships)
    }
}

/// One generation's warm pools, and the ships that submit to them.
struct WarmGeneration: LambdaGeneration {
    let hub: WorkerRuntimeHub
    let configuration: Configuration
    let pools: [String: WarmPool]
    let ships: [String: any WorkerShip]

    func install(invoker: DaemonInvoker) {
        hub.install(.init(configuration: configuration, invoker: invoker, pools: pools))
    }

    func uninstall() { hub.install(nil) }

    func run(stop: StopToken) async {
        await withDiscardingTaskGroup { group in
            for pool in pools.values {
                group.addTask { await pool.run(stop: stop) }
            }
        }
    }
}

import FoundationEssentials
import StarfleetCore
import StarfleetDaemon

/// `starfleetctl worker reload NAME`: the running daemon replaces the worker's warm processes after their current
/// invocation, so the next invocations run the code now in its CodeDirectory (as a change there does by itself).
package struct WorkerReloadCommand {
    package var control: ControlContext
    package var worker: String

    package init(control: ControlContext, worker: String) {
        self.control = control
        self.worker = worker
    }

    package func run() async throws {
        _ = try WorkerName.argument(worker)
        let configuration = try control.loadConfiguration(quietWarnings: true)
        guard let config = configuration.worker(named: worker), config.runtime.isLambda else {
            Terminal.error("error: no worker named \(worker) with warm processes (Runtime: python, nodejs or provided)")
            throw ControlExit(ExitStatus.usage)
        }
        let paths = StatePaths(control.stateDirectory(for: configuration))
        guard let daemon = DaemonInvokeClient.find(stateDirectory: paths.root) else {
            Terminal.error("error: the daemon is not running (no Invoke API socket under \(paths.root)): nothing to reload")
            throw ControlExit(ExitStatus.unavailable)
        }
        do {
            let processes = try await daemon.reload(worker: worker)
            Terminal.out(
                "\(worker): \(processes) warm process\(processes == 1 ? "" : "es") replaced after the current invocation")
        } catch let error as InvokeAPIError {
            Terminal.error("error: \(error)")
            throw ControlExit(error.status == 404 || error.status == 409 ? ExitStatus.usage : ExitStatus.unavailable)
        } catch {
            Terminal.error("error: cannot reach the daemon: \(error)")
            throw ControlExit(ExitStatus.unavailable)
        }
    }
}

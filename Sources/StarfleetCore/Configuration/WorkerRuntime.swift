/// How a worker's code runs (`Runtime:`, SAM's vocabulary).
package enum WorkerRuntime: String, Sendable, Hashable, CaseIterable {
    /// A Swift `WorkerShip` compiled into the binary, run in-process.
    case swift
    /// `Command` started once per payload: the payload on stdin, the result on stdout.
    case process
    /// A Python Lambda handler (`Handler: module.function`) in long-lived processes on the Lambda Runtime API.
    case python
    /// A node Lambda handler (`Handler: file.function`) in long-lived processes on the Lambda Runtime API.
    case nodejs
    /// `Command` is any program that speaks the Lambda Runtime API (Lambda's `provided.al2`).
    case provided

    /// Whether the worker runs in warm processes served by the daemon's Lambda Runtime API.
    package var isLambda: Bool { self == .python || self == .nodejs || self == .provided }
}

/// What a Lambda handler receives (`EventShape:`).
package enum EventShape: String, Sendable, Hashable, CaseIterable {
    /// `{"Records": [...]}` with one record, as an SQS-triggered Lambda function sees a message.
    case sqs
    /// The payload object itself, as a direct invoke delivers it.
    case payload
}

/// The settings of a worker that runs outside the daemon (every runtime but `swift`).
package struct WorkerProcessSettings: Sendable, Hashable {
    package var handler: String?
    /// Absolute; the working directory and `LAMBDA_TASK_ROOT`. Default `workers/<snake_case name>/`.
    package var codeDirectory: String
    /// Whether CodeDirectory was written in the section (then it must exist).
    package var codeDirectoryIsExplicit: Bool
    /// The interpreter of `Runtime: python` (`nil`: the worker's own venv if built, else python3).
    package var python: String?
    /// The interpreter of `Runtime: nodejs`.
    package var node: String
    package var eventShape: EventShape
    /// `Environment:`, set in the worker's environment.
    package var environment: [String: String]
    /// `PassEnvironment:`, names copied from the daemon's environment when set there.
    package var passEnvironment: [String]
    /// `Credentials:`, names of systemd credentials (`$CREDENTIALS_DIRECTORY/<name>`) handed to the worker.
    package var credentials: [String]
    /// A warm process is replaced after this many invocations (nil: never).
    package var maxInvocationsPerProcess: Int?
    /// `MemorySize` in MB: a warm process whose resident memory passes it is replaced after its invocation.
    package var memorySize: Int

    package static let defaultMemorySize = 1024

    package init(codeDirectory: String) {
        handler = nil
        self.codeDirectory = codeDirectory
        codeDirectoryIsExplicit = false
        python = nil
        node = "node"
        eventShape = .payload
        environment = [:]
        passEnvironment = []
        credentials = []
        maxInvocationsPerProcess = nil
        memorySize = Self.defaultMemorySize
    }

    /// Bedrock's layout: `SystemFetcher` → `system_fetcher`.
    package static func snakeCase(_ name: String) -> String {
        var out = ""
        var previous: Character?
        for c in name {
            if c.isUppercase {
                if let p = previous, p.isLowercase || p.isNumber { out.append("_") }
                out.append(Character(c.lowercased()))
            } else {
                out.append(c == "-" ? "_" : c)
            }
            previous = c
        }
        return out
    }
}

/// Starfleet's own worker ships declare their fan-out strategy in their class, not in their configuration; a section
/// that runs one of them through its Lambda handler gets the class's strategy without repeating it.
package enum StarfleetShipHandlers {
    /// The handler string of each ship in Starfleet 1.0.2 and its class's `fan_out_strategy`.
    package static let strategies: [String: FanOutStrategy] = [
        "starfleet.worker_ships.plugins.account_index_generator.ship.lambda_handler": .singleInvocation,
        "starfleet.worker_ships.plugins.aws_config.ship.lambda_handler": .accountRegion,
        "starfleet.worker_ships.plugins.github_sync.ship.lambda_handler": .singleInvocation,
        "starfleet.worker_ships.plugins.iam.role_ship.lambda_handler": .account,
    ]
}

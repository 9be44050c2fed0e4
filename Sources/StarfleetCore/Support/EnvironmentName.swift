/// The environment variables starfleetd reads and sets, named once (docs/operations.md and docs/workers.md list them).
package enum EnvironmentName {
    // Read by starfleetd and starfleetctl; systemd sets the first three (StateDirectory=, RuntimeDirectory=,
    // LoadCredential=).
    package static let stateDirectory = "STATE_DIRECTORY"
    package static let runtimeDirectory = "RUNTIME_DIRECTORY"
    package static let credentialsDirectory = "CREDENTIALS_DIRECTORY"
    package static let configDirectory = "STARFLEETD_CONFIG"
    package static let runtimesDirectory = "STARFLEET_RUNTIMES_DIR"
    package static let slackAPIURL = "STARFLEET_SLACK_API_URL"

    // Given to every worker process: the facts about its payload.
    package static let worker = "STARFLEET_WORKER"
    package static let commit = "STARFLEET_COMMIT"
    package static let messageID = "STARFLEET_MESSAGE_ID"
    package static let receiveCount = "STARFLEET_RECEIVE_COUNT"
    package static let accountID = "STARFLEET_ACCOUNT_ID"
    package static let region = "STARFLEET_REGION"
    // … and to a worker outside the daemon: its section, the STARFLEET settings and its secrets, as files.
    package static let workerConfigFile = "STARFLEET_WORKER_CONFIG_FILE"
    package static let settingsFile = "STARFLEET_SETTINGS_FILE"
    package static let secretsFile = "STARFLEET_SECRETS_FILE"

    // Lambda's runtime environment, for a warm worker's runtime client.
    package static let lambdaRuntimeAPI = "AWS_LAMBDA_RUNTIME_API"
    package static let handler = "_HANDLER"
    package static let lambdaTaskRoot = "LAMBDA_TASK_ROOT"
    package static let lambdaRuntimeDirectory = "LAMBDA_RUNTIME_DIR"
    package static let lambdaFunctionName = "AWS_LAMBDA_FUNCTION_NAME"
    package static let lambdaFunctionVersion = "AWS_LAMBDA_FUNCTION_VERSION"
    package static let lambdaFunctionMemorySize = "AWS_LAMBDA_FUNCTION_MEMORY_SIZE"
    package static let lambdaLogGroupName = "AWS_LAMBDA_LOG_GROUP_NAME"
    package static let lambdaLogStreamName = "AWS_LAMBDA_LOG_STREAM_NAME"
    /// Where boto3 and the AWS SDKs send Lambda calls: the daemon's Invoke API.
    package static let lambdaEndpointURL = "AWS_ENDPOINT_URL_LAMBDA"

    /// Prefixes a worker's own `Environment` may not use: the daemon sets these.
    package static let reservedPrefixes = ["STARFLEET_", "AWS_LAMBDA_", "_HANDLER", "LAMBDA_"]
}

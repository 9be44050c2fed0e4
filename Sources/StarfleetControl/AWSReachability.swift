import FoundationEssentials
import Logging
import StarfleetAWS
import StarfleetCore
import StarfleetDaemon

/// `starfleetctl validate --check-aws`: can this host, with its credentials, reach what the configuration names in
/// AWS — the template bucket (ListObjectsV2, one key), the account index object (GET and parse) and each SQS queue
/// URL (GetQueueAttributes)? Only when asked: plain `validate` makes no network call.
struct AWSReachability {
    let configuration: Configuration
    let clients: AWSResources

    init(configuration: Configuration) {
        var logger = Logger(label: "starfleetctl")
        logger.logLevel = .warning
        self.configuration = configuration
        // Short attempts: this is an interactive check, not the daemon riding out an outage.
        clients = AWSResources(logger: logger, timeout: 10)
    }

    /// Runs every check, printing one line each; returns how many failed.
    func run() async -> Int {
        var failed = 0
        func report(_ what: String, _ check: () async throws -> String) async {
            do {
                Terminal.out("aws: ok: \(what): \(try await check())")
            } catch {
                failed += 1
                Terminal.out("aws: error: \(what): \(error)")
            }
        }
        await report("credentials") { "from \(try await clients.credentials.credentials().source)" }
        let region = clients.deploymentRegion(configuration)
        if let bucket = configuration.starfleet.templateBucket {
            await report("template bucket s3://\(bucket)") {
                let page = try await clients.s3(region: region).listObjectsV2(bucket: bucket, maxKeys: 1)
                return page.objects.isEmpty ? "reachable, empty" : "reachable, listing works"
            }
        }
        if case .s3 = configuration.accountIndex {
            let index = clients.accountIndex(for: configuration, stateDirectory: "/nonexistent")
            // The index's errors name its location themselves.
            await report("account index") { "\(index.location): \(try await index.current().accounts.count) accounts" }
        }
        for url in queueURLs {
            await report("queue \(url)") { try await queueArn(url) }
        }
        if configuration.starfleet.templateBucket == nil, queueURLs.isEmpty, case .local = configuration.accountIndex {
            Terminal.out(
                "aws: nothing in the configuration is in AWS (no TemplateBucket, queue URLs or StarfleetDefaultAccountIndex)")
        }
        return failed
    }

    /// STARFLEET.FanOutQueueUrl and every enabled worker's InvocationQueueUrl, each once.
    var queueURLs: [String] {
        var urls: [String] = []
        let all = [configuration.starfleet.fanOutQueueUrl] + configuration.enabledWorkers.map(\.invocationQueueUrl)
        for case let url? in all where !urls.contains(url) { urls.append(url) }
        return urls
    }

    /// SQS GetQueueAttributes (JSON protocol) for the queue's ARN. A minimal signed POST, kept here until the daemon
    /// has an SQS client of its own; the region comes from the URL's `sqs.<region>.amazonaws.com` host.
    func queueArn(_ url: String) async throws -> String {
        let host = url.split(separator: "/").dropFirst().first.map(String.init) ?? ""
        let labels = host.split(separator: ".")
        let region = labels.count >= 4 && labels[0] == "sqs" ? String(labels[1]) : clients.deploymentRegion(configuration)
        let endpoint = AWSEndpoint.resolve(service: "sqs", region: region, environment: clients.environment)
        let body = Array(
            try JSONEncoder().encode(["QueueUrl": .string(url), "AttributeNames": .list(["QueueArn"])] as [String: JSONField]))
        let request = SigV4Request(
            method: "POST", scheme: endpoint.scheme, host: endpoint.host, path: endpoint.basePath + "/",
            headers: [("Content-Type", "application/x-amz-json-1.0"), ("X-Amz-Target", "AmazonSQS.GetQueueAttributes")],
            body: body)
        let signed = SigV4Signer(region: region, service: "sqs", sendsContentSHA256: false)
            .sign(request, credentials: try await clients.credentials.credentials(), date: Date())
        let response = try await clients.http.send(
            HTTPRequest(method: "POST", url: signed.url, headers: signed.headers.filter { $0.name != "Host" }, body: body))
        guard response.isSuccess else { throw response.error(method: "POST", url: signed.url) }
        return response.text.contains("QueueArn") ? "reachable (GetQueueAttributes answered)" : "reachable"
    }
}

/// A string or a list of strings: the fields of a small JSON-protocol request.
enum JSONField: Encodable {
    case string(String)
    case list([String])

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .list(let values): try container.encode(values)
        }
    }
}

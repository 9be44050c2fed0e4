import FoundationEssentials
import HTTPTypes
package import Hummingbird
import NIOCore
import StarfleetCore
package import StarfleetHTTP
import StarfleetWorkerKit
import StarfleetWorkers

/// Lambda's Invoke API, `POST /2015-03-31/functions/{name}/invocations`, so that boto3's Lambda client (and Bedrock's
/// `invoke(name, payload, require_response)`) reach workers through the daemon: RequestResponse runs the worker now
/// and returns its result (`X-Amz-Function-Error` on failure), Event puts the payload on its queue (202: retried and
/// dead-lettered like any message), DryRun checks the worker exists (204).
package enum InvokeAPIRoutes {
    static let invocationType = HTTPField.Name.fixed("X-Amz-Invocation-Type")
    static let functionError = HTTPField.Name.fixed("X-Amz-Function-Error")
    static let clientContext = HTTPField.Name.fixed("X-Amz-Client-Context")
    static let errorTypeHeader = HTTPField.Name.fixed("x-amzn-ErrorType")
    static let executedVersion = HTTPField.Name.fixed("X-Amz-Executed-Version")
    static let amznTraceId = HTTPField.Name.fixed("X-Amzn-Trace-Id")
    static let traceparent = HTTPField.Name.fixed("traceparent")

    package static func add(
        to router: Router<PeerContext>, hub: WorkerRuntimeHub, admit: @escaping @Sendable (any Channel) async -> Bool
    ) {
        addReload(to: router, hub: hub, admit: admit)
        router.post("2015-03-31/functions/:name/invocations") { request, context -> Response in
            guard await admit(context.channel) else { return RuntimeAPIRoutes.forbidden() }
            // FunctionName in any of Lambda's forms (a name, name:qualifier, a full or partial ARN, percent-encoded or
            // not); the name part is a worker's name, refused with the rule rather than looked up as any string.
            let name: String
            do throws(FunctionReference.Problem) {
                name = try FunctionReference.parse(
                    context.parameters.get("name") ?? "", qualifier: request.uri.queryParameters.get("Qualifier")
                ).name
            } catch {
                switch error {
                case .malformed(let text):
                    return failure(
                        .badRequest, type: "ValidationException",
                        "1 validation error detected: Value '\(text)' at 'functionName' failed to satisfy constraint: "
                            + "Member must be a function name, name:qualifier or a function ARN (for the name, \(WorkerName.rule))"
                    )
                case .unknownQualifier(let qualifier):
                    return failure(
                        .notFound, type: "ResourceNotFoundException",
                        "Function not found: version or alias \(qualifier) (every worker is $LATEST)")
                case .conflictingQualifiers(let derived, let parameter):
                    return failure(
                        .badRequest, type: "InvalidParameterValueException",
                        "The derived qualifier from the function name (\(derived)) does not match the specified qualifier (\(parameter))."
                    )
                }
            }
            guard let running = hub.running, let worker = running.configuration.worker(named: name), worker.enabled else {
                return failure(.notFound, type: "ResourceNotFoundException", "Function not found: \(name)")
            }
            // Lambda's payload limits: 6 MB for a synchronous invocation, 1 MB for an asynchronous one (413).
            let kind = request.headers[invocationType] ?? "RequestResponse"
            let payload: [UInt8]
            do {
                payload = try await RuntimeAPIRoutes.bytes(of: request, context)
            } catch {
                return tooLarge(limit: context.maxUploadSize, operation: "InvokeFunction")
            }
            if kind == "Event", payload.count > asyncPayloadLimit {
                return tooLarge(limit: asyncPayloadLimit, operation: "InvokeAsync")
            }
            let facts = Facts(header: request.headers[clientContext], defaultCommit: worker.commit)
            // The caller's trace is kept: the invocation runs under its Root (X-Ray's header first, else W3C's).
            let parent = request.headers[traceparent].flatMap { TraceHeader.fromTraceparent($0) != nil ? $0 : nil }
            let trace =
                request.headers[amznTraceId].flatMap(TraceHeader.parse) ?? parent.flatMap(TraceHeader.fromTraceparent)
            switch kind {
            case "DryRun":
                return Response(status: .noContent)
            case "Event":
                do {
                    let id = try await running.invoker.enqueue(
                        worker: name, payload: payload, account: facts.account, region: facts.region, trace: trace,
                        traceparent: parent)
                    var headers: HTTPFields = [:]
                    headers[HTTPField.Name.fixed("X-Amzn-Starfleet-Message-Id")] = id
                    // The request id the invocation record names (requestContext.requestId).
                    headers[HTTPField.Name.fixed("x-amzn-RequestId")] = id.lowercased()
                    return Response(status: .accepted, headers: headers)
                } catch {
                    return failure(.serviceUnavailable, type: "ServiceException", "could not queue the invocation: \(error)")
                }
            case "RequestResponse":
                // Every Concurrency slot busy past a short wait: Lambda's throttle, never an unbounded queue.
                if let pool = running.pools[name], !(await pool.admitSynchronous(within: synchronousSlotWait)) {
                    return throttled()
                }
                var headers: HTTPFields = [.contentType: "application/json"]
                headers[executedVersion] = "$LATEST"
                do {
                    let result = try await running.invoker.invoke(
                        worker: name, payload: payload, account: facts.account,
                        region: facts.region, commit: facts.commit, trace: trace, traceparent: parent)
                    return Response(
                        status: .ok, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: result.isEmpty ? Array("null".utf8) : result)))
                } catch {
                    let failure = error as? WorkerFailure ?? WorkerFailure("\(error)")
                    headers[functionError] = "Unhandled"
                    return Response(
                        status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: errorDocument(failure))))
                }
            case let other:
                return failure(
                    .badRequest, type: "InvalidParameterValueException",
                    "X-Amz-Invocation-Type \(other) is not RequestResponse, Event or DryRun")
            }
        }
    }

    /// `POST /starfleet/workers/{name}/reload` (`starfleetctl worker reload NAME`), admitted as an invoke is: the
    /// worker's warm processes are replaced after their current invocation. 202 `{"worker", "processes"}`.
    static func addReload(
        to router: Router<PeerContext>, hub: WorkerRuntimeHub, admit: @escaping @Sendable (any Channel) async -> Bool
    ) {
        router.post("starfleet/workers/:name/reload") { _, context -> Response in
            guard await admit(context.channel) else { return RuntimeAPIRoutes.forbidden() }
            let name = context.parameters.get("name") ?? ""
            guard WorkerName(rawValue: name) != nil, let running = hub.running,
                let worker = running.configuration.worker(named: name),
                worker.enabled
            else {
                return failure(.notFound, type: "ResourceNotFoundException", "Function not found: \(name)")
            }
            guard let pool = running.pools[name] else {
                return failure(
                    .conflict, type: "ResourceConflictException",
                    "\(name) has no warm processes to reload (Runtime: \(worker.runtime.rawValue)); each payload starts its own")
            }
            let processes = await pool.reload(reason: "starfleetctl worker reload")
            var out: [UInt8] = Array(#"{"worker":"#.utf8)
            appendJSONString(name, to: &out)
            out.append(contentsOf: #","processes":\#(processes)}"#.utf8)
            return Response(
                status: .accepted, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(bytes: out)))
        }
    }

    /// Account, region and commit for the invoked payload: `X-Amz-Client-Context` (base64 JSON) custom keys.
    struct Facts {
        var account: String?
        var region: String?
        var commit: Bool

        init(header: String?, defaultCommit: Bool) {
            commit = defaultCommit
            struct Context: Decodable { let custom: [String: String]? }
            guard let header, let data = Data(base64Encoded: header),
                let custom = (try? JSONDecoder().decode(Context.self, from: data))?.custom
            else { return }
            let address = PayloadAddress(attributes: custom)
            account = address.account
            region = address.region
            if let value = custom["StarfleetCommit"] { commit = value == "true" }
        }
    }

    /// `{"errorMessage", "errorType", "stackTrace"}`, as Lambda returns a function error.
    static func errorDocument(_ failure: WorkerFailure) -> [UInt8] {
        var out: [UInt8] = Array(#"{"errorMessage":"#.utf8)
        appendJSONString(failure.errorMessage ?? failure.message, to: &out)
        out.append(contentsOf: #","errorType":"#.utf8)
        let type = failure.errorType ?? (failure.exitStatus != nil ? "Runtime.ExitError" : "Unhandled")
        appendJSONString(type, to: &out)
        // Lambda's own errors (a timeout, an oversized response) carry no stack trace.
        if LambdaFunctionErrors.types.contains(type) {
            out.append(UInt8(ascii: "}"))
            return out
        }
        out.append(contentsOf: #","stackTrace":["#.utf8)
        let lines = (failure.stderrTail ?? "").split(separator: "\n").suffix(50)
        for (i, line) in lines.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            appendJSONString(String(line), to: &out)
        }
        out.append(contentsOf: "]}".utf8)
        return out
    }

    /// How long a synchronous invoke waits for one of a busy worker's Concurrency slots before it is throttled.
    static let synchronousSlotWait = 1.0

    /// 429 TooManyRequestsException as Lambda answers a function at its reserved concurrency.
    static func throttled() -> Response {
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[errorTypeHeader] = "TooManyRequestsException"
        return Response(
            status: .tooManyRequests, headers: headers,
            body: .init(
                byteBuffer: ByteBuffer(
                    string:
                        #"{"Reason":"ReservedFunctionConcurrentInvocationLimitExceeded","Type":"User","message":"Rate Exceeded."}"#
                )))
    }

    /// Lambda's limit for an asynchronous (Event) payload.
    static let asyncPayloadLimit = 1_048_576

    static func tooLarge(limit: Int, operation: String) -> Response {
        failure(
            .contentTooLarge, type: "RequestEntityTooLargeException",
            "Request must be smaller than \(limit) bytes for the \(operation) operation")
    }

    static func failure(_ status: HTTPResponse.Status, type: String, _ message: String) -> Response {
        var out: [UInt8] = Array(#"{"Type":"User","message":"#.utf8)
        appendJSONString(message, to: &out)
        out.append(UInt8(ascii: "}"))
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[errorTypeHeader] = type
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: out)))
    }
}

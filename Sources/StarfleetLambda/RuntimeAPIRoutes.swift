import FoundationEssentials
import HTTPTypes
package import Hummingbird
import NIOCore
import StarfleetCore
package import StarfleetHTTP
import StarfleetWorkers

/// The AWS Lambda Runtime API (reference/semantics.md §B6) for the daemon's warm processes, plus one extension,
/// `POST /2018-06-01/starfleet/alert`, through which a worker sends Starfleet's `send_alert`. Only processes of the
/// running generation's pools get an answer: the others get 403.
package enum RuntimeAPIRoutes {
    static let requestId = HTTPField.Name.fixed("Lambda-Runtime-Aws-Request-Id")
    static let deadline = HTTPField.Name.fixed("Lambda-Runtime-Deadline-Ms")
    static let functionArn = HTTPField.Name.fixed("Lambda-Runtime-Invoked-Function-Arn")
    static let traceId = HTTPField.Name.fixed("Lambda-Runtime-Trace-Id")
    static let clientContext = HTTPField.Name.fixed("Lambda-Runtime-Client-Context")
    static let traceparent = HTTPField.Name.fixed("traceparent")
    static let errorType = HTTPField.Name.fixed("Lambda-Runtime-Function-Error-Type")

    package static func add(to router: Router<PeerContext>, hub: WorkerRuntimeHub) {
        // Every path starts with the process's own token (its AWS_LAMBDA_RUNTIME_API is `127.0.0.1:<port>/<token>`).
        // A client that drops the prefix is told so rather than left to guess at a 404.
        router.group("2018-06-01").get("runtime/invocation/next") { _, _ in
            error(
                .forbidden, type: "AccessDeniedException",
                "use AWS_LAMBDA_RUNTIME_API as given: its path (the process's token) is part of every Runtime API path")
        }
        let runtime = router.group(":token/2018-06-01")
        runtime.get("runtime/invocation/next") { _, context -> Response in
            guard let peer = await peer(hub, context) else { return forbidden() }
            guard let job = await peer.pool.next(pid: peer.pid) else {
                // The process is being ended (recycled, stopping): it gets nothing more.
                return Response(
                    status: .gone, headers: [.contentType: "application/json"],
                    body: .init(
                        byteBuffer: ByteBuffer(
                            string: #"{"errorMessage":"this process is being replaced","errorType":"Runtime.Retired"}"#)))
            }
            let worker = peer.pool.worker
            let starfleet = hub.running?.configuration.starfleet
            let region = starfleet?.deploymentRegion ?? "us-east-1"
            let account = starfleet?.lambdaAccountId ?? "000000000000"
            var headers: HTTPFields = [.contentType: "application/json"]
            headers[requestId] = job.requestId
            headers[deadline] = String(job.deadlineMilliseconds)
            headers[functionArn] = "arn:aws:lambda:\(region):\(account):function:\(worker.name)"
            // Every invocation gets a trace header; a job built without one gets a Root of its own.
            var random = SystemRandomNumberGenerator()
            headers[traceId] =
                (job.trace
                ?? TraceHeader.newRoot(epochSeconds: Int64(Date().timeIntervalSince1970), using: &random).child(
                    using: &random)).text
            if let parent = job.traceparent { headers[traceparent] = parent }
            headers[clientContext] = job.clientContext
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: job.event)))
        }
        runtime.post("runtime/invocation/:id/response") { request, context -> Response in
            guard let peer = await peer(hub, context) else { return forbidden() }
            let id = context.parameters.get("id") ?? ""
            let body: [UInt8]
            do {
                body = try await bytes(of: request, context, limit: LambdaFunctionErrors.responseLimit)
            } catch is NIOTooManyBytesError {
                // Over Lambda's response limit: the invocation fails with Lambda's error; the runtime hears 413.
                let answer = await peer.pool.answer(pid: peer.pid, requestId: id) { _ in
                    .failure(LambdaFunctionErrors.responseTooLarge())
                }
                guard case .accepted = answer else { return accepted(answer) }
                return error(
                    .contentTooLarge, type: "RequestEntityTooLarge",
                    "Exceeded maximum allowed payload size (\(LambdaFunctionErrors.responseLimit) bytes).")
            }
            let answer = await peer.pool.answer(pid: peer.pid, requestId: id) { _ in .response(body) }
            return accepted(answer)
        }
        runtime.post("runtime/invocation/:id/error") { request, context -> Response in
            guard let peer = await peer(hub, context) else { return forbidden() }
            let id = context.parameters.get("id") ?? ""
            let document = LambdaErrorDocument.parse(
                try await bytes(of: request, context), typeHeader: request.headers[errorType])
            let answer = await peer.pool.answer(pid: peer.pid, requestId: id) { output in
                .failure(document.failure(stderrTail: output.stderrTail))
            }
            return accepted(answer)
        }
        runtime.post("runtime/init/error") { request, context -> Response in
            guard let peer = await peer(hub, context) else { return forbidden() }
            let document = LambdaErrorDocument.parse(
                try await bytes(of: request, context), typeHeader: request.headers[errorType])
            _ = await peer.pool.initError(pid: peer.pid, document)
            return accepted(.accepted)
        }
        runtime.post("starfleet/alert") { request, context -> Response in
            guard let peer = await peer(hub, context) else { return forbidden() }
            struct Body: Decodable {
                let priority: String
                let title: String?
                let body: String?
                let text: String?
            }
            guard let alert = try? JSONDecoder().decode(Body.self, from: Data(try await bytes(of: request, context))) else {
                return error(.badRequest, type: "InvalidRequestContentException", #"expected {"priority", "title", "body"}"#)
            }
            let worker = peer.pool.worker
            // Starfleet's send_alert gives a title and a body; a bare text's first line is the title, the rest the body.
            var title = alert.title ?? ""
            var body = alert.body ?? ""
            if alert.title == nil, let text = alert.text {
                let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
                title = String(lines.first ?? "")
                if body.isEmpty && lines.count > 1 { body = String(lines[1]) }
            }
            let item: [String: String] = ["priority": alert.priority, "title": title, "body": body]
            let result = (try? JSONEncoder().encode(["starfleet_alerts": [item]])).map { [UInt8]($0) } ?? []
            let job = await peer.pool.currentJob(pid: peer.pid)
            if let job { hub.alerts?.noteReported(messageId: job.messageId) }
            hub.alerts?.postRequested(
                byResult: result, worker: worker, messageId: job?.messageId ?? "-", account: job?.account,
                region: job?.region, log: hub.logger)
            return Response(status: .accepted)
        }
    }

    /// The warm process that holds this connection and the request's token (the first path component).
    static func peer(_ hub: WorkerRuntimeHub, _ context: PeerContext) async -> WorkerRuntimeHub.Peer? {
        await hub.peer(of: context.channel, token: context.parameters.get("token") ?? "")
    }

    static func bytes(of request: Request, _ context: PeerContext, limit: Int? = nil) async throws -> [UInt8] {
        var request = request
        let buffer = try await request.collectBody(upTo: limit ?? context.maxUploadSize)
        return Array(buffer.readableBytesView)
    }

    static func accepted(_ answer: WarmPool.Answer) -> Response {
        switch answer {
        case .accepted:
            return Response(
                status: .accepted, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"OK"}"#)))
        case .unknownRequest:
            return error(.badRequest, type: "InvalidRequestID", "this process is not running that invocation")
        }
    }

    static func forbidden() -> Response {
        error(.forbidden, type: "AccessDeniedException", "only processes started by starfleetd may use this endpoint")
    }

    static func error(_ status: HTTPResponse.Status, type: String, _ message: String) -> Response {
        var out: [UInt8] = Array(#"{"errorType":"#.utf8)
        appendJSONString(type, to: &out)
        out.append(contentsOf: #","errorMessage":"#.utf8)
        appendJSONString(message, to: &out)
        out.append(UInt8(ascii: "}"))
        return Response(
            status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: out)))
    }
}

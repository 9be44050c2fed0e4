import HTTPTypes
import Hummingbird
import NIOCore
import StarfleetHTTP

/// The console's routes: each reads through `ConsoleSource`, renders with `ConsolePages`, and every POST passes
/// `ConsoleGuard` first.
enum ConsoleRoutes {
    static let secFetchSite = HTTPField.Name.fixed("Sec-Fetch-Site")
    static let origin = HTTPField.Name.fixed("Origin")

    static func add(to router: Router<PeerContext>, source: ConsoleSource, catalog: ConsoleCatalog, guard csrf: ConsoleGuard) {
        router.get("templates") { _, _ in
            let (rows, errors) = await catalog.templates()
            return html(ConsolePages.templates(rows, errors: errors, now: source.clock.now()))
        }
        router.get("plan") { request, _ in
            let worker = request.uri.queryParameters.get("worker") ?? ""
            let key = request.uri.queryParameters.get("key") ?? ""
            guard let view = await catalog.plan(worker: worker, key: key) else {
                return html(
                    ConsolePages.message(title: "Not found", "no template \(key) of a worker \(worker)"), status: .notFound)
            }
            return html(ConsolePages.plan(view))
        }
        router.get("accounts") { _, _ in html(ConsolePages.accounts(await catalog.accountIndex())) }
        router.get("/") { _, _ in html(ConsolePages.overview(await source.overview())) }
        router.get("fragments/overview") { _, _ in html(ConsolePages.overviewFragment(await source.overview())) }
        router.get("assets/console.css") { _, _ in asset(ConsoleAssets.css, type: "text/css; charset=utf-8") }
        router.get("assets/console.js") { _, _ in asset(ConsoleAssets.js, type: "text/javascript; charset=utf-8") }
        router.get("workers/:name") { request, context in
            let name = context.parameters.get("name") ?? ""
            let query = request.uri.queryParameters
            let filter = ConsolePages.RunFilter(
                outcome: query.get("outcome").flatMap { $0.isEmpty ? nil : $0 },
                account: query.get("account").flatMap { $0.isEmpty ? nil : $0 })
            guard let page = await source.worker(named: name, runs: filter) else {
                return html(ConsolePages.message(title: "Not found", "no worker named \(name)"), status: .notFound)
            }
            return html(ConsolePages.worker(page))
        }
        router.get("dead-letters") { request, _ in
            let filter = request.uri.queryParameters.get("worker").flatMap { $0.isEmpty ? nil : $0 }
            let account = request.uri.queryParameters.get("account").flatMap { $0.isEmpty ? nil : $0 }
            let (rows, workers) = await ConsoleFiles.run {
                (source.letters(worker: filter, account: account), (try? source.deadLetters.workers()) ?? [])
            }
            return html(ConsolePages.deadLetters(rows, workers: workers, filter: filter, account: account, token: csrf.token))
        }
        router.get("dead-letters/:worker/:id") { _, context in
            let worker = context.parameters.get("worker") ?? ""
            let id = context.parameters.get("id") ?? ""
            guard let letter = await ConsoleFiles.run({ try? source.deadLetters.show(worker: worker, id: id) }) else {
                return html(ConsolePages.message(title: "Not found", "no dead letter \(id) of \(worker)"), status: .notFound)
            }
            return html(ConsolePages.deadLetter(letter, worker: worker, id: id, token: csrf.token))
        }
        router.post("dead-letters/confirm") { request, context in
            let form: ConsoleForm
            switch await checked(request, context, csrf) {
            case .failure(let refused): return refused.response
            case .success(let f): form = f
            }
            guard let action = form.value("action").flatMap(ConsoleAction.init(rawValue:)) else {
                return html(ConsolePages.message(title: "Bad request", "no action chosen"), status: .badRequest)
            }
            var letters = form.values("letter")
            if action == .redriveAll || action == .purgeAll {
                let filter = form.value("worker").flatMap { $0.isEmpty ? nil : $0 }
                let account = form.value("account").flatMap { $0.isEmpty ? nil : $0 }
                letters = await ConsoleFiles.run {
                    source.letters(worker: filter, account: account).map { "\($0.worker)/\($0.id)" }
                }
            }
            guard !letters.isEmpty else {
                return html(ConsolePages.message(title: "Nothing selected", "select dead letters first"), status: .badRequest)
            }
            return html(ConsolePages.confirm(action: action, letters: letters, token: csrf.token))
        }
        router.post("dead-letters/redrive") { request, context in
            switch await checked(request, context, csrf) {
            case .failure(let refused): return refused.response
            case .success(let form):
                let lines = await source.redrive(ConsoleSource.group(form.values("letter")))
                return html(ConsolePages.result(title: "Redrive", lines: lines.isEmpty ? ["nothing to redrive"] : lines))
            }
        }
        router.post("dead-letters/purge") { request, context in
            switch await checked(request, context, csrf) {
            case .failure(let refused): return refused.response
            case .success(let form):
                let targets = ConsoleSource.group(form.values("letter"))
                let lines = await ConsoleFiles.run { source.purge(targets) }
                return html(ConsolePages.result(title: "Purge", lines: lines.isEmpty ? ["nothing to purge"] : lines))
            }
        }
    }

    struct Refused: Error {
        let response: Response
    }

    /// The form of a POST that passed the guard, or the 403 (400 for an unreadable body) to answer instead.
    static func checked(_ request: Request, _ context: PeerContext, _ csrf: ConsoleGuard) async -> Result<ConsoleForm, Refused> {
        var request = request
        guard let buffer = try? await request.collectBody(upTo: 1 << 20) else {
            return .failure(
                Refused(response: html(ConsolePages.message(title: "Bad request", "the form is too large"), status: .badRequest)))
        }
        let form = ConsoleForm(String(decoding: buffer.readableBytesView, as: UTF8.self))
        if let why = csrf.refusal(
            formToken: form.value("token"), origin: request.headers[origin],
            fetchSite: request.headers[secFetchSite], host: request.head.authority)
        {
            return .failure(
                Refused(
                    response: html(
                        ConsolePages.message(title: "Refused", "refused: \(why); reload the console's page and try again"),
                        status: .forbidden)))
        }
        return .success(form)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        // no-store: the pages show live state and carry the token; frame-ancestors: no clickjacking by framing.
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy: "default-src 'self'; frame-ancestors 'none'",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "max-age=300"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

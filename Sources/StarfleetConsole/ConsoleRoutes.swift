import HTTPTypes
import Hummingbird
import NIOCore
import StarfleetCore
import StarfleetDaemon
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
            // A name no worker can have is a bad request, said with the rule, not looked up.
            let name: String
            do { name = try WorkerName(validating: context.parameters.get("name") ?? "").rawValue } catch {
                return badRequest(error)
            }
            let query = request.uri.queryParameters
            let given = { (name: String) in query.get(name).flatMap { $0.isEmpty ? nil : $0 } }
            let filter = ConsolePages.RunFilter(
                outcome: given("outcome"), account: given("account"), region: given("region"), template: given("template"))
            guard var page = await source.worker(named: name, runs: filter) else {
                return html(ConsolePages.message(title: "Not found", "no worker named \(name)"), status: .notFound)
            }
            (page.templates, page.templateError) = await catalog.templateLines(of: name)
            return html(ConsolePages.worker(page, now: source.clock.now()))
        }
        router.get("dead-letters") { request, _ in
            let filter = request.uri.queryParameters.get("worker").flatMap { $0.isEmpty ? nil : $0 }
            let account = request.uri.queryParameters.get("account").flatMap { $0.isEmpty ? nil : $0 }
            do { try DeadLetterOperations.InvalidSelection.check(worker: filter) } catch { return badRequest(error) }
            let (rows, workers) = await ConsoleFiles.run {
                (source.letters(worker: filter, account: account), (try? source.deadLetters.workers()) ?? [])
            }
            return html(
                ConsolePages.deadLetters(
                    rows, workers: workers, filter: filter, account: account, token: csrf.token,
                    redrives: source.redrives.recent()))
        }
        router.get("dead-letters/:worker/:id") { _, context in
            let worker = context.parameters.get("worker") ?? ""
            let id = context.parameters.get("id") ?? ""
            do { try DeadLetterOperations.InvalidSelection.check(worker: worker, id: id) } catch { return badRequest(error) }
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
            if action == .redriveAll || action == .purgeAll {
                // Everything the filter matches, named by the filter rather than listed: the action enumerates again.
                let scope: DeadLetterOperations.Filter
                do {
                    scope = try DeadLetterOperations.Filter(worker: form.value("worker"), account: form.value("account"))
                        .validated()
                } catch {
                    return badRequest(error)
                }
                let count = await ConsoleFiles.run { source.operations.targets(matching: scope).reduce(0) { $0 + $1.ids.count } }
                guard count > 0 else {
                    return html(ConsolePages.message(title: "Nothing selected", "no dead letters match"), status: .badRequest)
                }
                return html(ConsolePages.confirmAll(action: action, scope: scope, count: count, token: csrf.token))
            }
            let letters = form.values("letter")
            guard !letters.isEmpty else {
                return html(ConsolePages.message(title: "Nothing selected", "select dead letters first"), status: .badRequest)
            }
            do { _ = try DeadLetterOperations.group(letters) } catch { return badRequest(error) }
            return html(ConsolePages.confirm(action: action, letters: letters, token: csrf.token))
        }
        router.post("dead-letters/redrive") { request, context in
            switch await checked(request, context, csrf) {
            case .failure(let refused): return refused.response
            case .success(let form):
                let targets: [(worker: String, ids: [String])]
                let scope: String
                do { (targets, scope) = try await selection(form, source) } catch { return badRequest(error) }
                guard targets.contains(where: { !$0.ids.isEmpty }) else {
                    return html(ConsolePages.result(title: "Redrive", lines: ["nothing to redrive"]))
                }
                let rate = form.value("rate").flatMap(Double.init).flatMap { $0.isFinite ? $0 : nil }
                switch source.startRedrive(targets, scope: scope, rate: rate ?? DeadLetterRedrives.defaultRate) {
                case .success(let id): return redirect("/dead-letters/redrives/\(id)")
                case .failure(let refusal):
                    return html(ConsolePages.message(title: "Not started", "\(refusal)"), status: .conflict)
                }
            }
        }
        router.get("dead-letters/redrives/:id") { _, context in
            guard let id = context.parameters.get("id").flatMap(Int.init), let job = source.redrives.job(id) else {
                return html(ConsolePages.message(title: "Not found", "no such redrive"), status: .notFound)
            }
            return html(ConsolePages.redrive(job, token: csrf.token, now: source.clock.now()))
        }
        router.post("dead-letters/redrives/:id/stop") { request, context in
            switch await checked(request, context, csrf) {
            case .failure(let refused): return refused.response
            case .success:
                let id = context.parameters.get("id").flatMap(Int.init) ?? 0
                _ = source.redrives.stop(id)
                return redirect("/dead-letters/redrives/\(id)")
            }
        }
        router.post("dead-letters/purge") { request, context in
            switch await checked(request, context, csrf) {
            case .failure(let refused): return refused.response
            case .success(let form):
                let targets: [(worker: String, ids: [String])]
                do { (targets, _) = try await selection(form, source) } catch { return badRequest(error) }
                let lines = await ConsoleFiles.run { source.purge(targets) }
                return html(ConsolePages.result(title: "Purge", lines: lines.isEmpty ? ["nothing to purge"] : lines))
            }
        }
    }

    /// The letters a confirmed action names: every one its filter matches (`all`), or those listed; and how to say so.
    /// Throws before anything is touched when a worker name or letter id could not be one.
    static func selection(_ form: ConsoleForm, _ source: ConsoleSource) async throws(DeadLetterOperations.InvalidSelection) -> (
        targets: [(worker: String, ids: [String])], scope: String
    ) {
        guard form.value("all") == "1" else {
            let letters = form.values("letter")
            return (try DeadLetterOperations.group(letters), letters.count == 1 ? letters[0] : "\(letters.count) selected")
        }
        let scope = try DeadLetterOperations.Filter(worker: form.value("worker"), account: form.value("account")).validated()
        return (await ConsoleFiles.run { source.operations.targets(matching: scope) }, scope.description)
    }

    /// 400 for a request naming a dead letter or worker that cannot be one (a forged form): said, nothing done.
    static func badRequest(_ error: any Error) -> Response {
        html(ConsolePages.message(title: "Bad request", "refused: \(error)"), status: .badRequest)
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

    /// 303: the browser follows with a GET, so a reload of the next page does not post the form again.
    static func redirect(_ path: String) -> Response {
        Response(status: .seeOther, headers: [.location: path, .cacheControl: "no-store"])
    }

    static func asset(_ text: String, type: String) -> Response {
        Response(
            status: .ok, headers: [.contentType: type, .cacheControl: "max-age=300"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

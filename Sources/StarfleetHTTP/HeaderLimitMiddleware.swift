package import Hummingbird

/// Refuses a request whose request line and headers pass `limit` bytes with 431 (the documented 8 KiB): the HTTP
/// parser itself would take up to 80 KiB.
package struct HeaderLimitMiddleware: RouterMiddleware {
    package typealias Context = PeerContext
    package let limit: Int

    package init(limit: Int = 8192) { self.limit = limit }

    package func handle(_ request: Request, context: PeerContext, next: (Request, PeerContext) async throws -> Response)
        async throws -> Response
    {
        var size = request.method.rawValue.utf8.count + request.uri.description.utf8.count + 12
        for field in request.headers { size += field.name.rawName.utf8.count + field.value.utf8.count + 4 }
        guard size <= limit else {
            return Response(
                status: .init(code: 431, reasonPhrase: "Request Header Fields Too Large"), headers: [.connection: "close"])
        }
        return try await next(request, context)
    }
}

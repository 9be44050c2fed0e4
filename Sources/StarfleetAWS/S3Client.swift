package import StarfleetClock

/// The S3 calls starfleetd needs: ListObjectsV2 (with pagination), conditional GetObject, PutObject,
/// CreateBucket. Requests are signed with ``SigV4Signer`` (payload hashed, `x-amz-content-sha256` always sent).
public struct S3Client: Sendable {
    let http: HTTPClient
    let credentialsProvider: any AWSCredentialsProvider
    let signer: SigV4Signer
    let endpoint: AWSEndpoint
    let pathStyle: Bool
    let clock: any WallClock

    /// - Parameter pathStyle: `nil` picks path style for endpoint overrides and dotted bucket names, virtual
    ///   hosts otherwise.
    package init(
        http: HTTPClient, credentials: any AWSCredentialsProvider, region: String, endpoint: AWSEndpoint,
        pathStyle: Bool? = nil, clock: any WallClock = SystemWallClock()
    ) {
        self.http = http
        credentialsProvider = credentials
        signer = SigV4Signer(region: region, service: "s3")
        self.endpoint = endpoint
        self.pathStyle = pathStyle ?? endpoint.isOverride
        self.clock = clock
    }

    /// One ListObjectsV2 page (at most 1,000 keys).
    public func listObjectsV2(
        bucket: String, prefix: String? = nil, continuationToken: String? = nil, maxKeys: Int? = nil
    ) async throws -> S3ListPage {
        var query: [(name: String, value: String)] = [("list-type", "2")]
        if let prefix { query.append(("prefix", prefix)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        if let maxKeys { query.append(("max-keys", String(maxKeys))) }
        let (response, url) = try await send("GET", bucket: bucket, key: nil, query: query)
        guard response.isSuccess else { throw response.error(method: "GET", url: url) }
        guard let page = S3ListPage.parse(response.body) else {
            throw HTTPError(
                code: .httpStatus(response.status), subject: HTTPError.subject(method: "GET", url: url),
                detail: String(response.text.prefix(200)), hint: "S3 answered 200 with a body that is not a ListBucketResult")
        }
        return page
    }

    /// Every object under `prefix`, following continuation tokens page by page.
    public func listAllObjects(bucket: String, prefix: String? = nil) async throws -> [S3Object] {
        var all: [S3Object] = []
        var token: String?
        repeat {
            let page = try await listObjectsV2(bucket: bucket, prefix: prefix, continuationToken: token)
            all += page.objects
            token = page.isTruncated ? page.nextContinuationToken : nil
        } while token != nil
        return all
    }

    /// Gets an object; with `ifNoneMatch` (an ETag, quoted or not) answers `.notModified` when it is unchanged.
    public func getObject(bucket: String, key: String, ifNoneMatch etag: String? = nil) async throws -> S3GetResult {
        var headers: [(name: String, value: String)] = []
        if let etag { headers.append(("If-None-Match", "\"\(S3ListPage.unquote(etag))\"")) }
        let (response, url) = try await send("GET", bucket: bucket, key: key, headers: headers)
        if response.status == 304 { return .notModified }
        guard response.isSuccess else { throw response.error(method: "GET", url: url) }
        return .object(bytes: response.body, etag: S3ListPage.unquote(response.header("ETag") ?? ""))
    }

    /// Gets an object with the headers that name its revision (ETag, VersionId, Last-Modified).
    public func getObjectData(bucket: String, key: String) async throws -> S3ObjectData {
        let (response, url) = try await send("GET", bucket: bucket, key: key)
        guard response.isSuccess else { throw response.error(method: "GET", url: url) }
        return S3ObjectData(
            bytes: response.body, etag: S3ListPage.unquote(response.header("ETag") ?? ""),
            versionId: response.header("x-amz-version-id"), lastModified: response.header("Last-Modified") ?? "")
    }

    /// Stores an object and returns its ETag (without quotes). Content-Type is always sent: moto stores an empty
    /// object for a form-encoded body.
    @discardableResult
    public func putObject(bucket: String, key: String, body: [UInt8], contentType: String = "application/octet-stream")
        async throws -> String
    {
        let (response, url) = try await send(
            "PUT", bucket: bucket, key: key, headers: [("Content-Type", contentType)], body: body)
        guard response.isSuccess else { throw response.error(method: "PUT", url: url) }
        return S3ListPage.unquote(response.header("ETag") ?? "")
    }

    /// Creates a bucket (us-east-1 form: no location constraint body).
    public func createBucket(_ bucket: String) async throws {
        let (response, url) = try await send("PUT", bucket: bucket, key: nil, headers: [("Content-Type", "application/xml")])
        guard response.isSuccess else { throw response.error(method: "PUT", url: url) }
    }

    private func send(
        _ method: String, bucket: String, key: String?, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: [UInt8] = []
    ) async throws -> (HTTPResponse, String) {
        let virtual = !pathStyle && !bucket.contains(".")
        let host = virtual ? "\(bucket).\(endpoint.host)" : endpoint.host
        var path = endpoint.basePath + (virtual ? "" : "/\(bucket)")
        path += "/" + (key ?? "")
        let request = SigV4Request(
            method: method, scheme: endpoint.scheme, host: host, path: path, query: query, headers: headers, body: body)
        let signed = signer.sign(request, credentials: try await credentialsProvider.credentials(), date: clock.now())
        let response = try await http.send(
            HTTPRequest(method: method, url: signed.url, headers: signed.headers.filter { $0.name != "Host" }, body: body))
        return (response, signed.url)
    }
}

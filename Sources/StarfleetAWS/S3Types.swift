/// One object in a listing.
public struct S3Object: Sendable, Equatable {
    /// The key.
    public var key: String
    /// The ETag without its surrounding quotes; opaque (not always an MD5).
    public var etag: String
    /// Size in bytes.
    public var size: Int64
    /// `LastModified` as S3 wrote it (ISO 8601, UTC).
    public var lastModified: String
}

/// One ListObjectsV2 page.
public struct S3ListPage: Sendable {
    /// Objects on this page, in key order.
    public var objects: [S3Object]
    /// True when more pages follow.
    public var isTruncated: Bool
    /// The token for the next page (present only when truncated).
    public var nextContinuationToken: String?
}

/// What a conditional GET found.
public enum S3GetResult: Sendable, Equatable {
    /// The object still has the ETag the caller gave (HTTP 304).
    case notModified
    /// The object's bytes and its ETag (without quotes).
    case object(bytes: [UInt8], etag: String)
}

/// An object's bytes with the headers that name its revision.
public struct S3ObjectData: Sendable, Equatable {
    public var bytes: [UInt8]
    /// The ETag without its quotes.
    public var etag: String
    /// `x-amz-version-id`, when the bucket is versioned (S3 sends `null` for objects put before versioning).
    public var versionId: String?
    /// `Last-Modified` as sent (an HTTP date).
    public var lastModified: String
}

extension S3ListPage {
    /// Parses a `ListBucketResult` document; `nil` when the XML is not one.
    static func parse(_ body: [UInt8]) -> S3ListPage? {
        guard let root = MiniXML.parse(body), root.name == "ListBucketResult" else { return nil }
        let encoded = root.text(of: "EncodingType") == "url"
        var objects: [S3Object] = []
        for contents in root.children("Contents") {
            guard let rawKey = contents.text(of: "Key") else { return nil }
            objects.append(
                S3Object(
                    key: encoded ? PercentEncoding.decode(rawKey, plusIsSpace: true) : rawKey,
                    etag: unquote(contents.text(of: "ETag") ?? ""),
                    size: Int64(contents.text(of: "Size") ?? "") ?? 0,
                    lastModified: contents.text(of: "LastModified") ?? ""))
        }
        let truncated = root.text(of: "IsTruncated") == "true"
        let token = root.text(of: "NextContinuationToken")
        return S3ListPage(objects: objects, isTruncated: truncated, nextContinuationToken: truncated ? token : nil)
    }

    /// Strips the literal double quotes S3 puts around ETags (in XML and in headers).
    static func unquote(_ etag: String) -> String {
        var value = Substring(etag)
        if value.hasPrefix("W/") { value = value.dropFirst(2) }
        if value.hasPrefix("\"") { value = value.dropFirst() }
        if value.hasSuffix("\"") { value = value.dropLast() }
        return String(value)
    }
}

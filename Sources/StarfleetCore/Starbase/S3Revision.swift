/// One stored revision of an S3 object, named by what every reader of the bucket gets alike from GetObject: the
/// VersionId in a versioned bucket; otherwise the ETag with the Last-Modified time, so that deleting a key and putting
/// the same bytes back (same ETag, later Last-Modified) is a new revision, as it is a new S3 event on AWS.
package struct S3Revision: Sendable, Hashable, Codable {
    package var etag: String
    /// `x-amz-version-id`; nil (or S3's `null`) when the bucket is not versioned.
    package var versionId: String?
    /// `Last-Modified` as S3 sent it (an HTTP date, to the second).
    package var lastModified: String

    package init(etag: String, versionId: String?, lastModified: String) {
        self.etag = etag
        self.versionId = versionId
        self.lastModified = lastModified
    }

    /// `v:<VersionId>` or `e:<ETag>@<Last-Modified>`: the same on every host for the same PUT.
    package var id: String {
        if let versionId, !versionId.isEmpty, versionId != "null" { return "v:\(versionId)" }
        return "e:\(etag)@\(lastModified)"
    }
}

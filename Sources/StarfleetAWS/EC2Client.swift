package import StarfleetClock

/// The one EC2 call starfleetd makes (Query protocol, version 2016-11-15): DescribeRegions, which, without
/// `AllRegions`, lists the regions enabled in the calling account.
public struct EC2Client: Sendable {
    let query: AWSQueryProtocol

    package init(
        http: HTTPClient, credentials: any AWSCredentialsProvider, region: String, endpoint: AWSEndpoint,
        clock: any WallClock = SystemWallClock()
    ) {
        query = AWSQueryProtocol(
            service: "ec2", version: "2016-11-15", http: http, credentials: credentials, region: region, endpoint: endpoint,
            clock: clock)
    }

    /// The names of the regions enabled in the account, sorted.
    public func describeRegions() async throws -> [String] {
        Self.regionNames(in: try await query.call("DescribeRegions"))
    }

    /// `regionInfo/item/regionName` of a DescribeRegionsResponse, sorted. An item marked `not-opted-in` is left
    /// out: AWS does not list those without `AllRegions`, but moto does, and a region the account has not opted
    /// into is not one it can work in.
    static func regionNames(in root: XMLElement) -> [String] {
        (root.child("regionInfo")?.children("item") ?? [])
            .filter { $0.text(of: "optInStatus") != "not-opted-in" }
            .compactMap { $0.text(of: "regionName") }.sorted()
    }
}

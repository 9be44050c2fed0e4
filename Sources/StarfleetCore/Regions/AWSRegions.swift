/// The AWS commercial ("aws" partition) regions: what a template's `IncludeRegions: [ALL]` expands to and what
/// every region name is checked against.
///
/// Starfleet took this list from the installed boto3 (`get_available_regions("ec2")`), so it changed with
/// dependency bumps. Here it is this one table: add a region by adding a line. China (`cn-*`) and GovCloud
/// (`us-gov-*`) are other partitions, as in boto3's default.
package enum AWSRegions {
    /// Every commercial region, sorted.
    package static let all: [String] = [
        "af-south-1",
        "ap-east-1",
        "ap-east-2",
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-northeast-3",
        "ap-south-1",
        "ap-south-2",
        "ap-southeast-1",
        "ap-southeast-2",
        "ap-southeast-3",
        "ap-southeast-4",
        "ap-southeast-5",
        "ap-southeast-6",
        "ap-southeast-7",
        "ca-central-1",
        "ca-west-1",
        "eu-central-1",
        "eu-central-2",
        "eu-north-1",
        "eu-south-1",
        "eu-south-2",
        "eu-west-1",
        "eu-west-2",
        "eu-west-3",
        "il-central-1",
        "me-central-1",
        "me-south-1",
        "mx-central-1",
        "sa-east-1",
        "us-east-1",
        "us-east-2",
        "us-west-1",
        "us-west-2",
    ]

    /// The regions every account has enabled by default (those launched before March 2019); the rest are opt-in.
    package static let enabledByDefault: [String] = [
        "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-southeast-1", "ap-southeast-2",
        "ca-central-1", "eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3", "sa-east-1",
        "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    ]

    /// Fast membership for validation.
    package static let allSet: Set<String> = Set(all)

    package static func isValid(_ region: String) -> Bool { allSet.contains(region) }
}

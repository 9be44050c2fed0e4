import Foundation
import Testing

@testable import StarfleetAWS

/// The STS, EC2 and Organizations answers as AWS documents them, read from canned bytes.
@Suite struct STSOrganizationsEC2ParsingTests {
    @Test func assumeRoleCredentials() throws {
        let xml = """
            <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <AssumeRoleResult>
                <SourceIdentity>Alice</SourceIdentity>
                <AssumedRoleUser>
                  <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>
                  <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>
                </AssumedRoleUser>
                <Credentials>
                  <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>
                  <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
                  <SessionToken>AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW</SessionToken>
                  <Expiration>2019-10-02T17:23:22.582Z</Expiration>
                </Credentials>
                <PackedPolicySize>8</PackedPolicySize>
              </AssumeRoleResult>
              <ResponseMetadata><RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId></ResponseMetadata>
            </AssumeRoleResponse>
            """
        let root = try #require(MiniXML.parse(Array(xml.utf8)))
        let credentials = try #require(STSClient.credentials(in: root, roleARN: "arn:aws:iam::123456789012:role/demo"))
        #expect(credentials.accessKeyID == "ASIAIOSFODNN7EXAMPLE")
        #expect(credentials.secretAccessKey == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY")
        #expect(credentials.sessionToken?.hasPrefix("AQoDYXdzEPT") == true)
        #expect(credentials.expiration == Date(timeIntervalSince1970: 1_570_037_002))
        #expect(credentials.source == "assumed role arn:aws:iam::123456789012:role/demo")
        let shown = "\(credentials)"
        #expect(!shown.contains("wJalrXUtnFEMI") && !shown.contains("AQoDYXdzEPT"))
    }

    @Test func incompleteCredentialsAreRejected() throws {
        for missing in ["AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"] {
            var fields = ["AccessKeyId": "A", "SecretAccessKey": "S", "SessionToken": "T", "Expiration": "2030-01-01T00:00:00Z"]
            fields[missing] = nil
            let inner = fields.map { "<\($0.key)>\($0.value)</\($0.key)>" }.joined()
            let xml =
                "<AssumeRoleResponse><AssumeRoleResult><Credentials>\(inner)</Credentials></AssumeRoleResult></AssumeRoleResponse>"
            let root = try #require(MiniXML.parse(Array(xml.utf8)))
            #expect(STSClient.credentials(in: root, roleARN: "r") == nil, "without \(missing)")
        }
    }

    @Test func stsAndEC2ErrorBodies() {
        let sts = HTTPResponse(
            status: 403, headers: [],
            body: Array(
                """
                <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type>\
                <Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole</Message></Error>\
                <RequestId>x</RequestId></ErrorResponse>
                """.utf8))
        let stsError = sts.error(method: "POST", url: "https://sts.us-east-1.amazonaws.com/")
        #expect(stsError.awsCode == "AccessDenied")
        #expect(stsError.description.contains("check the credentials in use and the IAM policy"))
        let ec2 = HTTPResponse(
            status: 503, headers: [],
            body: Array(
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors>\
                <RequestID>ea966190-f9aa-478e-9ede-example</RequestID></Response>
                """.utf8))
        #expect(AWSErrorBody.parse(ec2) == AWSErrorBody(code: "RequestLimitExceeded", message: "Request limit exceeded."))
        #expect(RetryPolicy.isRetryable(status: 503, awsCode: "RequestLimitExceeded"))
        let organizations = HTTPResponse(
            status: 400, headers: [],
            body: Array(
                #"{"__type":"AWSOrganizationsNotInUseException","Message":"Your account is not a member of an organization."}"#
                    .utf8))
        #expect(AWSErrorBody.parse(organizations)?.code == "AWSOrganizationsNotInUseException")
    }

    @Test func describeRegionsKeepsEnabledRegionsSorted() throws {
        let xml = """
            <DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
              <requestId>59dbff89-35bd-4eac-99ed-be587EXAMPLE</requestId>
              <regionInfo>
                <item><regionName>us-west-2</regionName><regionEndpoint>ec2.us-west-2.amazonaws.com</regionEndpoint>\
            <optInStatus>opt-in-not-required</optInStatus></item>
                <item><regionName>af-south-1</regionName><optInStatus>opted-in</optInStatus></item>
                <item><regionName>ap-east-1</regionName><optInStatus>not-opted-in</optInStatus></item>
                <item><regionName>eu-west-1</regionName></item>
              </regionInfo>
            </DescribeRegionsResponse>
            """
        let root = try #require(MiniXML.parse(Array(xml.utf8)))
        #expect(EC2Client.regionNames(in: root) == ["af-south-1", "eu-west-1", "us-west-2"])
    }

    @Test func organizationsPagesDecode() throws {
        let json = """
            {"Accounts":[{"Arn":"arn:aws:organizations::111111111111:account/o-exampleorgid/222222222222",
              "Email":"anika@example.com","Id":"222222222222","JoinedMethod":"INVITED",
              "JoinedTimestamp":1.481835795536E9,"Name":"Developer Account","Status":"ACTIVE","State":"ACTIVE"},
             {"Arn":"a","Id":"333333333333","Status":"SUSPENDED"}],
             "NextToken":"tok"}
            """
        let page = try JSONDecoder().decode(OrganizationsPages.Accounts.self, from: Data(json.utf8))
        #expect(page.NextToken == "tok")
        let accounts = try #require(page.Accounts)
        #expect(accounts[0].Name == "Developer Account")
        #expect(accounts[0].JoinedTimestamp == 1_481_835_795.536)
        #expect(accounts[0].isActive)
        #expect(!accounts[1].isActive)
        #expect(!OrganizationAccount(Id: "1", Arn: "a", Status: "ACTIVE", State: "CLOSED").isActive)
        let parents = try JSONDecoder().decode(
            OrganizationsPages.Parents.self,
            from: Data(#"{"Parents":[{"Id":"ou-examplerootid111-exampleouid111","Type":"ORGANIZATIONAL_UNIT"}]}"#.utf8))
        #expect(parents.Parents == [OrganizationParent(Id: "ou-examplerootid111-exampleouid111", Type: "ORGANIZATIONAL_UNIT")])
        let described = try JSONDecoder().decode(
            OrganizationsPages.DescribedUnit.self,
            from: Data(#"{"OrganizationalUnit":{"Name":"Accounting Group","Arn":"arn:x","Id":"ou-1"}}"#.utf8))
        #expect(described.OrganizationalUnit.Name == "Accounting Group")
        let input = String(
            decoding: try JSONEncoder().encode(OrganizationsPages.ListAccountsInput(NextToken: nil, MaxResults: 5)), as: UTF8.self
        )
        #expect(input == #"{"MaxResults":5}"#)
    }

    @Test func queryBodyRoleNamesAndPartitions() {
        #expect(
            AWSQueryProtocol.formBody([("Action", "AssumeRole"), ("RoleArn", "arn:aws:iam::1:role/a b+c"), ("X", "é/~")])
                == "Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%20b%2Bc&X=%C3%A9%2F~")
        #expect(STSClient.sessionName("starfleetd-My Worker/ü") == "starfleetd-My-Worker--")
        #expect(STSClient.sessionName("x") == "x-")
        #expect(STSClient.sessionName(String(repeating: "a", count: 80)).count == 64)
        #expect(
            AWSSession.roleARN(account: "000000000001", role: "starfleet-worker", region: "us-east-1")
                == "arn:aws:iam::000000000001:role/starfleet-worker")
        #expect(AWSSession.roleARN(account: "1", role: "path/r", region: "cn-north-1") == "arn:aws-cn:iam::1:role/path/r")
        #expect(AWSSession.partition(region: "us-gov-west-1") == "aws-us-gov")
    }
}

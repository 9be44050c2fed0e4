import StarfleetCore
import Testing

/// Issue 21: the payload's address attributes have one codec; their names are wire names and must not change.
@Suite struct PayloadAddressTests {
    @Test func theWireNamesAreStarfleets() {
        #expect(PayloadAddress.accountAttribute == "StarfleetAccount")
        #expect(PayloadAddress.regionAttribute == "StarfleetRegion")
        #expect(PayloadAddress.templateAttribute == "StarfleetTemplate")
    }

    @Test func roundTrips() {
        let address = PayloadAddress(account: "123456789012", region: "eu-west-1", template: "Audit/a.yaml")
        #expect(
            address.attributes
                == ["StarfleetAccount": "123456789012", "StarfleetRegion": "eu-west-1", "StarfleetTemplate": "Audit/a.yaml"])
        #expect(PayloadAddress(attributes: address.attributes) == address)
    }

    @Test func anAbsentFieldWritesNoAttributeAndOtherAttributesAreIgnored() {
        #expect(PayloadAddress(account: "123456789012").attributes == ["StarfleetAccount": "123456789012"])
        #expect(PayloadAddress().attributes.isEmpty)
        let read = PayloadAddress(attributes: ["StarfleetEvent": "invoke", "StarfleetRegion": "us-east-1"])
        #expect(read == PayloadAddress(region: "us-east-1"))
        #expect(PayloadAddress(attributes: read.attributes) == read)
    }
}

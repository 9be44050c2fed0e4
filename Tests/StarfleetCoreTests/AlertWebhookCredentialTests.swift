import StarfleetCore
import Testing

/// `STARFLEET.AlertWebhookCredential` names a systemd credential: one file name, so no path can escape
/// $CREDENTIALS_DIRECTORY.
@Suite struct AlertWebhookCredentialTests {
    @Test func aCredentialNameIsAccepted() throws {
        let dir = try ConfigDir(["a.yaml": "STARFLEET: {AlertWebhookCredential: alert-webhook_2.prod@x}\n"])
        let (config, diagnostics) = dir.load()
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(config?.starfleet.alertWebhookCredential == "alert-webhook_2.prod@x")
    }

    @Test func absentMeansNoWebhook() throws {
        #expect(try ConfigDir(["a.yaml": "STARFLEET: {}\n"]).load().0?.starfleet.alertWebhookCredential == nil)
    }

    @Test(arguments: ["../etc/shadow", "a/b", "..", ".", "with space", "ünï", ""])
    func pathsAndOddNamesAreRefused(_ name: String) throws {
        let dir = try ConfigDir(["a.yaml": "STARFLEET: {AlertWebhookCredential: \"\(name)\"}\n"])
        let errors = dir.errors()
        #expect(errors.count == 1, "\(errors)")
        #expect(
            errors.first?.hasPrefix("a.yaml:1:") == true && errors.first?.contains("STARFLEET.AlertWebhookCredential") == true,
            "\(errors)")
    }
}

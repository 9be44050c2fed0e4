internal import FoundationEssentials

/// The sources that need no network: environment, systemd credentials, shared profile files.
enum LocalCredentialSources {
    /// `AWS_ACCESS_KEY_ID` / `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN` (or legacy `AWS_SECURITY_TOKEN`),
    /// with the optional `AWS_CREDENTIAL_EXPIRATION`.
    static func environment(_ env: [String: String]) -> AWSCredentials? {
        guard let key = env["AWS_ACCESS_KEY_ID"], !key.isEmpty, let secret = env["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
        else { return nil }
        return AWSCredentials(
            accessKeyID: key, secretAccessKey: secret, sessionToken: env["AWS_SESSION_TOKEN"] ?? env["AWS_SECURITY_TOKEN"],
            expiration: env["AWS_CREDENTIAL_EXPIRATION"].flatMap(ISO8601UTC.parse), source: "environment")
    }

    /// starfleetd's extension: `LoadCredential=`/`SetCredential=` files in `$CREDENTIALS_DIRECTORY`, named
    /// `aws_access_key_id`, `aws_secret_access_key` and optionally `aws_session_token`.
    static func systemd(_ env: [String: String]) -> AWSCredentials? {
        guard let directory = env["CREDENTIALS_DIRECTORY"], !directory.isEmpty else { return nil }
        func read(_ name: String) -> String? {
            guard let data = try? Data(contentsOf: URL(fileURLWithPath: directory + "/" + name)) else { return nil }
            let value = String(decoding: data, as: UTF8.self).trimmingWhitespace()
            return value.isEmpty ? nil : value
        }
        guard let key = read("aws_access_key_id"), let secret = read("aws_secret_access_key") else { return nil }
        return AWSCredentials(
            accessKeyID: key, secretAccessKey: secret, sessionToken: read("aws_session_token"),
            source: "systemd credentials")
    }

    /// The selected profile (`AWS_PROFILE`, `AWS_DEFAULT_PROFILE`, else `default`).
    static func profileName(_ env: [String: String]) -> String {
        env["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? env["AWS_DEFAULT_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "default"
    }

    /// Keys from the credentials file, then the config file, for the selected profile.
    static func profile(_ env: [String: String]) -> AWSCredentials? {
        let name = profileName(env)
        let home = env["HOME"] ?? ""
        let credentialsPath = env["AWS_SHARED_CREDENTIALS_FILE"] ?? home + "/.aws/credentials"
        let configPath = env["AWS_CONFIG_FILE"] ?? home + "/.aws/config"
        for (path, isConfig) in [(credentialsPath, false), (configPath, true)] {
            guard let section = ProfileFile.load(path: path, isConfig: isConfig)?.sections[name],
                let key = section["aws_access_key_id"], !key.isEmpty,
                let secret = section["aws_secret_access_key"], !secret.isEmpty
            else { continue }
            return AWSCredentials(
                accessKeyID: key, secretAccessKey: secret, sessionToken: section["aws_session_token"],
                source: "profile \(name) (\(path))")
        }
        return nil
    }

    /// The region: `AWS_REGION`, `AWS_DEFAULT_REGION`, else the profile's `region` in the config file.
    static func region(_ env: [String: String]) -> String? {
        if let region = env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"], !region.isEmpty { return region }
        let configPath = env["AWS_CONFIG_FILE"] ?? (env["HOME"] ?? "") + "/.aws/config"
        return ProfileFile.load(path: configPath, isConfig: true)?.sections[profileName(env)]?["region"]
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff]Z`, the form IMDS, ECS and STS use for `Expiration`.
enum ISO8601UTC {
    static func parse(_ text: String) -> Date? {
        let digits = text.utf8.map { $0 }
        guard digits.count >= 20 else { return nil }
        func number(_ from: Int, _ length: Int) -> Int? {
            var value = 0
            for i in from..<from + length {
                guard digits[i] >= 48 && digits[i] <= 57 else { return nil }
                value = value * 10 + Int(digits[i] - 48)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), let hour = number(11, 2),
            let minute = number(14, 2), let second = number(17, 2), (1...12).contains(month), text.hasSuffix("Z")
        else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm), so no time-zone database is involved.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3_600 + minute * 60 + second))
    }
}

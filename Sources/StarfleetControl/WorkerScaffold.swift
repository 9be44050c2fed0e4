import StarfleetCore
import StarfleetDaemon

/// What `starfleetctl new worker` writes, as text (Bedrock's `bedrock new worker`): the worker program or Swift
/// type, its configuration section, a sample template, and the registry line for a Swift worker. Pure, so the
/// tests compare it exactly.
package enum WorkerScaffold {
    package enum Language: String, CaseIterable, Sendable {
        case swift, python, javascript, shell

        /// The script's file extension (nil for Swift).
        var scriptExtension: String? {
            switch self {
            case .swift: nil
            case .python: "py"
            case .javascript: "js"
            case .shell: "sh"
            }
        }
    }

    /// The marker line in WorkerRegistry.swift above which registrations go.
    static let registryMarker = "// starfleetctl new worker"

    /// Section names the configuration reserves, and the Starbase's own queue name.
    static let reservedNames: Set<String> = Set(Configuration.reservedNames)

    /// Why `name` cannot be a worker's name, or nil: `WorkerName`'s rule (the daemon's, so a scaffolded worker always
    /// loads), and for Swift a type name too (no '-', no leading digit).
    static func problem(withName name: String, language: Language) -> String? {
        do { _ = try WorkerName(validating: name) } catch { return "\(error.problem) (\(WorkerName.rule))" }
        if language == .swift && (name.contains("-") || name.first?.isNumber == true) {
            return "a Swift worker's name is its type name: use letters, digits and '_' (no '-'), starting with a letter"
        }
        return nil
    }

    /// The script's base name: `AuditWorker` → `audit-worker`, `HTTPProbe` → `http-probe`, `s3_sweep` → `s3-sweep`.
    static func fileBaseName(_ name: String) -> String {
        let chars = Array(name)
        var out = ""
        for (i, c) in chars.enumerated() {
            if c == "_" || c == "-" {
                if !out.isEmpty && !out.hasSuffix("-") { out.append("-") }
                continue
            }
            if c.isUppercase, i > 0, !out.hasSuffix("-") {
                let previous = chars[i - 1]
                let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) { out.append("-") }
            }
            out += c.lowercased()
        }
        while out.hasSuffix("-") { out.removeLast() }
        return out
    }

    // MARK: Configuration and template

    /// The commented worker section, `<config>/<Name>.yaml`. `command` is the Command path (nil for Swift).
    static func configSection(name: String, language: Language, strategy: FanOutStrategy, command: String?) -> String {
        var lines = [
            "# \(name): a \(language.rawValue) worker ship, scaffolded by `starfleetctl new worker`. Every key is in docs/configuration.md."
        ]
        if let command {
            lines += [
                "\(name):",
                "  Enabled: true",
                "  # Run once per payload, without a shell (a relative path is relative to this directory). The payload",
                "  # JSON is on stdin; exit 0 with a JSON result on stdout, non-zero with a message on stderr.",
                "  Command: [\"\(command)\"]",
                "  # One payload per: SINGLE_INVOCATION (the template once), ACCOUNT, or ACCOUNT_REGION.",
            ]
        } else {
            lines += [
                "# The Swift type \(name) (Sources/StarfleetWorkers/\(name).swift, registered in WorkerRegistry.builtIns)",
                "# runs each payload; rebuild and restart starfleetd after changing it.",
                "\(name):",
                "  Enabled: true",
                "  # Optional: the type declares its fanOutStrategy; if given here it must be the same (validate checks).",
            ]
        }
        lines += [
            "  FanOutStrategy: \(strategy.rawValue)",
            "  # Templates under <TemplateDirectory>/\(name)/ are this worker's.",
            "  TemplatePrefix: \(name)/",
            "  # S3: a template added or changed fans out at once. For a timer, add EVENTBRIDGE_TIMED_EVENT and a frequency.",
            "  InvocationSources: [S3]",
            "  # EventBridgeTimedFrequency: HOURLY   # FIVE_MIN … DAILY, or rate(…) / cron(…)",
            "  # Concurrency: 4                      # payloads run at once",
            "  # VisibilityTimeoutSeconds: 300       # a run's time before its message is handed out again",
            "  # TimeoutSeconds: 270                 # per run; below VisibilityTimeoutSeconds",
            "  # MaxReceiveCount: 4                  # attempts before a payload is dead-lettered",
            "  # The worker changes things only when Commit is true (STARFLEET_COMMIT in a process worker's environment).",
            "  Commit: false",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// A sample payload template valid for `strategy`, `<TemplateDirectory>/<Name>/example.yaml`.
    static func template(name: String, strategy: FanOutStrategy) -> String {
        var lines = [
            "# A sample payload template for \(name) (\(strategy.rawValue)). Keys besides Starfleet's pass through to the",
            "# worker in its payload. Preview the fan-out with `starfleetctl plan <this file>`.",
            "TemplateName: \(name)Example",
            "TemplateDescription: An example template for \(name); edit or replace it.",
        ]
        switch strategy {
        case .singleInvocation:
            break
        case .account, .accountRegion:
            lines += [
                "IncludeAccounts:",
                "  AllAccounts: true",
                "# ExcludeAccounts:",
                "#   ByTags:",
                "#     - Name: Environment",
                "#       Value: Production",
            ]
            if strategy == .accountRegion { lines += ["IncludeRegions: [us-east-1]"] }
        }
        lines += ["Greeting: hello from \(name)"]
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: Programs

    /// The example process worker for a script language (nil for Swift).
    static func script(name: String, language: Language) -> String? {
        switch language {
        case .swift: nil
        case .python: python(name)
        case .javascript: javascript(name)
        case .shell: shell(name)
        }
    }

    private static func contract(_ comment: String) -> String {
        """
        \(comment) starfleetd runs this program once per payload, without a shell:
        \(comment) - stdin: the payload JSON (the template plus StarbaseAssignedAccount / StarbaseAssignedRegion);
        \(comment) - environment: STARFLEET_WORKER, STARFLEET_COMMIT ("true" or "false"), STARFLEET_ACCOUNT_ID,
        \(comment)   STARFLEET_REGION, STARFLEET_MESSAGE_ID, STARFLEET_RECEIVE_COUNT;
        \(comment) - exit 0 with a JSON result on stdout = done; non-zero with a message on stderr = failed (retried
        \(comment)   with backoff, dead-lettered after MaxReceiveCount attempts).
        \(comment) With commit off (the default) it only reports what it would do and changes nothing.
        """
    }

    static func python(_ name: String) -> String {
        """
        #!/usr/bin/env python3
        # \(name): a starfleetd process worker, scaffolded by `starfleetctl new worker`.
        \(contract("#"))
        import json
        import os
        import sys


        def main() -> int:
            try:
                payload = json.load(sys.stdin)
            except ValueError as error:
                print(f"\(name): the payload is not JSON: {error}", file=sys.stderr)
                return 1
            if not isinstance(payload, dict) or "TemplateName" not in payload:
                print("\(name): the payload is not a template (no TemplateName)", file=sys.stderr)
                return 1
            commit = os.environ.get("STARFLEET_COMMIT") == "true"
            account = payload.get("StarbaseAssignedAccount") or os.environ.get("STARFLEET_ACCOUNT_ID") or None
            region = payload.get("StarbaseAssignedRegion") or os.environ.get("STARFLEET_REGION") or None
            target = "/".join(part for part in (account, region) if part) or "the organization"
            if commit:
                # Change things here: only when commit is on.
                action = f"changed {target}"
            else:
                action = f"would change {target}"
            print(json.dumps({"worker": os.environ.get("STARFLEET_WORKER", "\(name)"), "template": payload["TemplateName"],
                              "account": account, "region": region, "commit": commit, "action": action}))
            return 0


        if __name__ == "__main__":
            sys.exit(main())

        """
    }

    static func javascript(_ name: String) -> String {
        """
        #!/usr/bin/env node
        // \(name): a starfleetd process worker, scaffolded by `starfleetctl new worker`.
        \(contract("//"))
        'use strict';

        function fail(message) {
          process.stderr.write(`\(name): ${message}\\n`);
          process.exit(1);
        }

        const chunks = [];
        process.stdin.on('data', (chunk) => chunks.push(chunk));
        process.stdin.on('end', () => {
          let payload;
          try {
            payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          } catch (error) {
            fail(`the payload is not JSON: ${error.message}`);
          }
          if (payload === null || typeof payload !== 'object' || !('TemplateName' in payload)) {
            fail('the payload is not a template (no TemplateName)');
          }
          const commit = process.env.STARFLEET_COMMIT === 'true';
          const account = payload.StarbaseAssignedAccount || process.env.STARFLEET_ACCOUNT_ID || null;
          const region = payload.StarbaseAssignedRegion || process.env.STARFLEET_REGION || null;
          const target = [account, region].filter(Boolean).join('/') || 'the organization';
          let action;
          if (commit) {
            // Change things here: only when commit is on.
            action = `changed ${target}`;
          } else {
            action = `would change ${target}`;
          }
          const result = {
            worker: process.env.STARFLEET_WORKER || '\(name)', template: payload.TemplateName,
            account, region, commit, action,
          };
          process.stdout.write(JSON.stringify(result) + '\\n');
        });

        """
    }

    static func shell(_ name: String) -> String {
        """
        #!/bin/sh
        # \(name): a starfleetd process worker, scaffolded by `starfleetctl new worker`.
        \(contract("#"))
        # (Reading fields of the payload needs a JSON tool, e.g. `jq -r .TemplateName`; this example uses the
        # environment only.)
        set -eu

        payload=$(cat)
        case $(printf '%s' "$payload" | tr -d ' \\t\\r\\n' | cut -c1) in
          '{') ;;
          *) echo "\(name): the payload is not a JSON object" >&2; exit 1 ;;
        esac

        account=${STARFLEET_ACCOUNT_ID:-}
        region=${STARFLEET_REGION:-}
        target=$(printf '%s' "${account}${account:+${region:+/}}${region}")
        [ -n "$target" ] || target="the organization"
        if [ "${STARFLEET_COMMIT:-false}" = true ]; then
          commit=true
          # Change things here: only when commit is on.
          action="changed $target"
        else
          commit=false
          action="would change $target"
        fi
        printf '{"worker": "%s", "account": "%s", "region": "%s", "commit": %s, "action": "%s", "payload_bytes": %d}\\n' \\
          "${STARFLEET_WORKER:-\(name)}" "$account" "$region" "$commit" "$action" "${#payload}"

        """
    }

    // MARK: Swift

    /// `Sources/StarfleetWorkers/<Name>.swift`.
    static func swiftSource(name: String, strategy: FanOutStrategy) -> String {
        let strategyCase: String
        switch strategy {
        case .singleInvocation: strategyCase = "singleInvocation"
        case .account: strategyCase = "account"
        case .accountRegion: strategyCase = "accountRegion"
        }
        return """
            import FoundationEssentials
            import Logging
            package import StarfleetCore
            package import StarfleetWorkerKit

            /// \(name): a Swift worker ship, scaffolded by `starfleetctl new worker` and registered in
            /// ``WorkerRegistry/builtIns``. It gets one payload per \(strategy.rawValue) fan-out: the template as JSON plus
            /// the account (and region) the Starbase assigned. It changes nothing unless the worker's `Commit` is true.
            package struct \(name): TypedWorkerShip {
                /// The template keys this worker reads (others are ignored); add your own.
                package struct Payload: Decodable, Sendable {
                    package var TemplateName: String
                    package var StarbaseAssignedAccount: String?
                    package var StarbaseAssignedRegion: String?
                }

                /// The run's result, returned as JSON (what `starfleetctl invoke` prints).
                struct Report: Encodable {
                    var worker: String
                    var template: String
                    var account: String?
                    var region: String?
                    var commit: Bool
                    var action: String
                }

                package let name = "\(name)"
                package let fanOutStrategy = FanOutStrategy.\(strategyCase)

                package init() {}

                package func execute(payload: Payload, context: WorkerContext) async throws -> [UInt8] {
                    let parts = [payload.StarbaseAssignedAccount, payload.StarbaseAssignedRegion].compactMap { $0 }
                    let target = parts.isEmpty ? "the organization" : parts.joined(separator: "/")
                    let action: String
                    if context.commit {
                        // Change things here: only when commit is on.
                        action = "changed \\(target)"
                    } else {
                        action = "would change \\(target)"
                    }
                    context.logger.info("\\(action)", metadata: ["template": "\\(payload.TemplateName)"])
                    let report = Report(
                        worker: name, template: payload.TemplateName, account: payload.StarbaseAssignedAccount,
                        region: payload.StarbaseAssignedRegion, commit: context.commit, action: action)
                    do {
                        return Array(try JSONEncoder().encode(report))
                    } catch {
                        throw WorkerFailure("the result could not be encoded: \\(error)")
                    }
                }
            }

            """
    }

    enum RegistryEditError: Error, Equatable {
        case noMarker
        case alreadyRegistered
    }

    /// WorkerRegistry.swift with `"<Name>": { _ in <Name>() },` inserted above the marker comment, indented like it.
    static func register(name: String, in registry: String) -> Result<String, RegistryEditError> {
        var lines = registry.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.contains(where: { $0.trimmingPrefix(while: \.isWhitespace).hasPrefix("\"\(name)\":") }) {
            return .failure(.alreadyRegistered)
        }
        guard let at = lines.firstIndex(where: { $0.trimmingPrefix(while: \.isWhitespace).hasPrefix(registryMarker) }) else {
            return .failure(.noMarker)
        }
        let indent = String(lines[at].prefix(while: \.isWhitespace))
        lines.insert("\(indent)\"\(name)\": { _ in \(name)() },", at: at)
        return .success(lines.joined(separator: "\n"))
    }
}

import StarfleetCore

/// `starfleetctl new worker system_fetcher.py|.js`: Bedrock's layout, `workers/<name>/main.py` (or `main.js`), a
/// `Worker` subclass of the SDK that runs warm on the Lambda runtime, per payload, and in AWS Lambda itself. Pure text.
enum BedrockScaffold {
    enum Language: String {
        case python = "py"
        case javascript = "js"

        var runtime: WorkerRuntime { self == .python ? .python : .nodejs }
    }

    /// `system_fetcher.py` → (`system_fetcher`, python); nil when the argument is not a `.py` / `.js` file name.
    static func parse(_ argument: String) -> (folder: String, language: Language)? {
        for language in [Language.python, .javascript] where argument.hasSuffix(".\(language.rawValue)") {
            let folder = String(argument.dropLast(language.rawValue.count + 1))
            guard let first = folder.unicodeScalars.first, first.properties.isLowercase || first.properties.isUppercase,
                folder.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
            else { return nil }
            return (folder, language)
        }
        return nil
    }

    /// The section and class name: `system_fetcher` → `SystemFetcher`.
    static func className(_ folder: String) -> String {
        folder.split(separator: "_").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The files of `workers/<folder>/`, relative to it.
    static func files(folder: String, language: Language) -> [(name: String, text: String)] {
        let name = className(folder)
        switch language {
        case .python:
            return [
                ("main.py", python(name, folder: folder)), ("__init__.py", ""),
                (
                    "requirements.txt",
                    "# This worker's own dependencies, one per line (pip's format).\n"
                        + "# `starfleetctl worker build \(name)` installs them into the worker's virtualenv.\n"
                ),
            ]
        case .javascript:
            return [
                ("main.js", javascript(name, folder: folder)),
                (
                    "package.json",
                    "{\n  \"name\": \"\(folder.replacing("_", with: "-"))\",\n  \"private\": true,\n  \"main\": \"main.js\",\n  \"dependencies\": {}\n}\n"
                ),
                (
                    "worker.js",
                    "// The starfleetd worker SDK (installed with starfleetd; on NODE_PATH for Runtime: nodejs).\n"
                        + "// In AWS Lambda, put a copy of the SDK's worker.js here instead.\nmodule.exports = require(\"starfleet-worker\");\n"
                ),
            ]
        }
    }

    /// The configuration section: `Runtime` and `Handler`, the code in `workers/<folder>/` (Bedrock's default).
    static func configSection(folder: String, language: Language, strategy: FanOutStrategy) -> String {
        let name = className(folder)
        return """
            # \(name): a \(language == .python ? "Python" : "JavaScript") worker in workers/\(folder)/ (Bedrock's layout), run warm on the
            # Lambda runtime: Concurrency long-lived processes, each taking one payload at a time.
            \(name):
              Enabled: true
              TemplatePrefix: \(name)/
              InvocationSources:
                - S3
              FanOutStrategy: \(strategy.rawValue)
              Runtime: \(language.runtime.rawValue)
              Handler: main.handler
              # CodeDirectory: workers/\(folder)   (the default)
              Concurrency: 4
              TimeoutSeconds: 60
              # Keys of your own are given to the worker as context.config:
              # Greeting: hello

            """
    }

    static func python(_ name: String, folder: String) -> String {
        """
        \"\"\"\(name): a starfleetd worker (workers/\(folder)/main.py).

        Runs warm under `Runtime: python` (Handler: main.handler), once per payload (`python3 main.py < payload.json`),
        and in AWS Lambda itself. It must change nothing unless context.commit is true.
        \"\"\"
        from starfleet_worker import Worker


        class \(name)(Worker):
            def execute(self, event, context):
                context.logger.info("running for account %s in %s", context.account_id, context.region)
                if not context.commit:
                    context.logger.info("commit is off: reporting only")
                # context.config: this worker's configuration section; context.secrets: its secrets;
                # context.invoke("OtherWorker", {...}, require_response=True) runs a sibling.
                return {
                    "worker": context.worker,
                    "account": context.account_id,
                    "region": context.region,
                    "commit": context.commit,
                    "template": event.get("TemplateName") if isinstance(event, dict) else None,
                }


        handler = \(name).handler()

        if __name__ == "__main__":
            \(name).main()

        """
    }

    static func javascript(_ name: String, folder: String) -> String {
        """
        // \(name): a starfleetd worker (workers/\(folder)/main.js).
        // Runs warm under `Runtime: nodejs` (Handler: main.handler), once per payload (`node main.js < payload.json`),
        // and in AWS Lambda itself. It must change nothing unless context.commit is true.
        const { Worker } = require("./worker");

        class \(name) extends Worker {
          async execute(event, context) {
            context.logger.info(`running for account ${context.accountId} in ${context.region}`);
            // context.config: this worker's configuration section; context.secrets: its secrets;
            // await context.invoke("OtherWorker", {...}, true) runs a sibling.
            return {
              worker: context.worker,
              account: context.accountId,
              region: context.region,
              commit: context.commit,
              template: event && event.TemplateName,
            };
          }
        }

        exports.handler = \(name).handler();

        if (require.main === module) {
          \(name).main();
        }

        """
    }
}

extension PayloadTemplate {
    /// The keys the Starbase writes into every payload; a template's own values are overwritten, as in Starfleet.
    package static let assignedAccountKey = "StarbaseAssignedAccount"
    package static let assignedRegionKey = "StarbaseAssignedRegion"
    /// The largest template JSON that still fits one queue message (SQS's 1 MiB, body plus attributes) once the
    /// Starbase adds the assigned account and region and the message attributes.
    package static let maxPayloadBytes = 1_048_576 - 4_096

    /// Validates a template against the schema of a worker's fan-out strategy, with Starfleet's rules and messages:
    /// base (`TemplateName`, `TemplateDescription`; other top-level keys pass through), account (+ `IncludeAccounts`,
    /// `ExcludeAccounts`, `OperateInOrgRoot`), account-region (+ `IncludeRegions`, `ExcludeRegions`).
    /// - Parameter root: the parsed document, nil when the file held none.
    /// - Returns: the template when there are no errors, and every diagnostic found.
    package static func validate(_ root: Node?, strategy: FanOutStrategy, file: String) -> (PayloadTemplate?, [Diagnostic]) {
        var v = Validator()
        guard let root else {
            v.error(
                at: .start(of: file), "", "the template is empty",
                hint: "a template needs at least TemplateName and TemplateDescription")
            return (nil, v.diagnostics)
        }
        guard let entries = v.mapping(root, "", what: "a mapping of template keys (TemplateName, TemplateDescription, …)") else {
            return (nil, v.diagnostics)
        }
        v.rejectDuplicateKeys(entries, "")
        // JSON is what workers receive: a template that cannot be JSON is refused here, not at send time.
        do throws(Node.JSONError) {
            // A payload that cannot fit in one queue message will never be delivered, so it is refused here
            // (validate, plan, the Starbase's check before sending) instead of being retried until it dead-letters.
            let size = try root.jsonBytes().count
            if size > maxPayloadBytes {
                v.error(
                    root, "",
                    "the payload as JSON is \(size) bytes; a queue message holds at most \(maxPayloadBytes) bytes (1 MiB less room for the assigned account and region)",
                    hint:
                        "aliases and long values grow the JSON past the file's size; make the template smaller, or store the data elsewhere (S3) and send a reference"
                )
            }
        } catch {
            v.error(at: error.mark, error.path, error.message)
        }

        let name = required(root, "TemplateName", into: &v).flatMap { v.string($0, "TemplateName") }
        let description = required(root, "TemplateDescription", into: &v).flatMap { v.string($0, "TemplateDescription") }
        for key in [assignedAccountKey, assignedRegionKey] {
            if let node = root[key], !node.isNull { _ = v.string(node, key) }
        }

        var template = PayloadTemplate(raw: root, name: name ?? "", description: description ?? "")
        if strategy != .singleInvocation {
            readAccounts(root, into: &template, &v)
        }
        if strategy == .accountRegion {
            readRegions(root, into: &template, &v)
        }
        return v.hasErrors ? (nil, v.diagnostics) : (template, v.diagnostics)
    }

    private static func required(_ root: Node, _ key: String, into v: inout Validator) -> Node? {
        if let node = root[key] { return node }
        v.error(root, key, "Missing data for required field.")
        return nil
    }

    private static func readAccounts(_ root: Node, into t: inout PayloadTemplate, _ v: inout Validator) {
        if let node = required(root, "IncludeAccounts", into: &v) {
            t.includeAccounts = AccountSpecification.read(node, "IncludeAccounts", include: true, into: &v)
        }
        if let node = root["ExcludeAccounts"], !node.isNull {
            t.excludeAccounts =
                AccountSpecification.read(node, "ExcludeAccounts", include: false, into: &v) ?? AccountSpecification()
        }
        if let node = root["OperateInOrgRoot"] {
            t.operateInOrgRoot = v.bool(node, "OperateInOrgRoot") ?? false
        }
    }

    private static func readRegions(_ root: Node, into t: inout PayloadTemplate, _ v: inout Validator) {
        if let node = required(root, "IncludeRegions", into: &v), let regions = v.stringList(node, "IncludeRegions") {
            if regions.isEmpty {
                v.error(node, "IncludeRegions", "Shorter than minimum length 1.", hint: "list regions, or [ALL]")
            } else if regions.contains(where: { $0.0 == "ALL" }) {
                if regions.count > 1 {
                    v.error(node, "IncludeRegions", "Can't specify any other regions when `ALL` is specified in the list.")
                } else {
                    t.includeRegions = AWSRegions.all
                }
            } else {
                t.includeRegions = Array(Set(checkRegions(regions, "IncludeRegions", &v))).sorted()
            }
        }
        if let node = root["ExcludeRegions"], !node.isNull, let regions = v.stringList(node, "ExcludeRegions") {
            t.excludeRegions = Set(checkRegions(regions, "ExcludeRegions", &v))
        }
    }

    /// Every name must be a region of the table (`ALL` is not one: it is only accepted alone in IncludeRegions).
    private static func checkRegions(_ regions: [(String, Node)], _ path: String, _ v: inout Validator) -> [String] {
        var valid: [String] = []
        for (i, (region, node)) in regions.enumerated() {
            if AWSRegions.isValid(region) {
                valid.append(region)
            } else {
                let hint =
                    Suggestion.hint(for: region, in: AWSRegions.all)
                    ?? "regions must be from this list: \(AWSRegions.all.joined(separator: ", "))"
                v.error(node, "\(path)[\(i)]", "Invalid regions are specified: \(region).", hint: hint)
            }
        }
        return valid
    }
}

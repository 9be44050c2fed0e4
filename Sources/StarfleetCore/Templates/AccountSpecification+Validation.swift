extension AccountSpecification {
    static let selectorKeys = ["ByNames", "ByIds", "ByOrgUnits", "ByTags"]
    /// `IncludeAccountsSpecificationSchema.verify_schema`'s message, word for word.
    static let missingFieldSet =
        "Missing an account field set. Either set `AllAccounts: True`, or specify an account `ByNames`, `ByIds`, `ByTags`, and/or `ByOrgUnits`."

    /// Reads an account specification with Starfleet's rules and messages (`AccountsSpecificationSchema`,
    /// `IncludeAccountsSpecificationSchema`): unknown keys are refused, lengths are checked per item.
    static func read(_ node: Node, _ path: String, include: Bool, into v: inout Validator) -> AccountSpecification? {
        guard let entries = v.mapping(node, path) else { return nil }
        v.rejectDuplicateKeys(entries, path)
        v.rejectUnknownKeys(entries, known: (include ? ["AllAccounts"] : []) + selectorKeys, path)
        var spec = AccountSpecification()
        let before = v.diagnostics.count
        for entry in entries {
            let key = entry.key.keyText
            let p = Validator.join(path, key)
            switch key {
            case "AllAccounts" where include:
                spec.allAccounts = v.bool(entry.value, p) ?? false
            case "ByNames":
                spec.byNames = v.stringList(entry.value, p, length: 1...128)?.map(\.0) ?? []
            case "ByIds":
                spec.byIds = v.stringList(entry.value, p, length: 1...12)?.map(\.0) ?? []
            case "ByOrgUnits":
                spec.byOrgUnits = readOrgUnits(entry.value, p, into: &v)
            case "ByTags":
                spec.byTags = readTags(entry.value, p, into: &v)
            default:
                break
            }
        }
        // The schema-level rules run only when the fields themselves were valid, as marshmallow does.
        guard include, v.diagnostics.count == before else { return v.diagnostics.count == before ? spec : nil }
        if spec.allAccounts {
            for entry in entries where entry.key.keyText != "AllAccounts" && isTruthy(entry.value) {
                v.error(
                    entry.key, Validator.join(path, entry.key.keyText),
                    "Can't specify other parameters when `AllAccounts` is set to `True`.")
            }
        } else if spec.isEmpty {
            // Starfleet puts the message on every allowed field, one error each (`verify_schema`); so do we, at
            // the key when it is present, else at the mapping.
            for key in ["AllAccounts"] + selectorKeys {
                let at = entries.first { $0.key.keyText == key }?.key ?? node
                v.error(at, Validator.join(path, key), Self.missingFieldSet)
            }
        }
        return v.diagnostics.count == before ? spec : nil
    }

    /// OU ids (`ou-…`, at most 68 characters) or OU names (at most 128), never empty.
    private static func readOrgUnits(_ node: Node, _ path: String, into v: inout Validator) -> [String] {
        guard let items = v.list(node, path) else { return [] }
        var result: [String] = []
        for (i, item) in items.enumerated() {
            let p = "\(path)[\(i)]"
            guard let ou = v.string(item, p) else { continue }
            if ou.isEmpty {
                v.error(item, p, "Length must be greater than 0.")
            } else if ou.hasPrefix("ou-") && ou.count > 68 {
                v.error(item, p, "Length must be less than 68 for OU IDs.")
            } else if ou.count > 128 {
                v.error(item, p, "Length must be less than 128 for OU Names.")
            } else {
                result.append(ou)
            }
        }
        return result
    }

    /// `[{Name, Value}]`: Name 1…128 characters, Value at most 256 (may be empty).
    private static func readTags(_ node: Node, _ path: String, into v: inout Validator) -> [Tag] {
        guard let items = v.list(node, path) else { return [] }
        var result: [Tag] = []
        for (i, item) in items.enumerated() {
            let p = "\(path)[\(i)]"
            guard let entries = v.mapping(item, p, what: "a tag mapping with Name and Value") else { continue }
            v.rejectUnknownKeys(entries, known: ["Name", "Value"], p)
            var name: String?
            var value: String?
            if let n = item["Name"] {
                name = v.string(n, Validator.join(p, "Name"), length: 1...128)
            } else {
                v.error(item, Validator.join(p, "Name"), "Missing data for required field.")
            }
            if let val = item["Value"] {
                if let s = v.string(val, Validator.join(p, "Value")) {
                    if s.count > 256 {
                        v.error(val, Validator.join(p, "Value"), "Longer than maximum length 256.")
                    } else {
                        value = s
                    }
                }
            } else {
                v.error(item, Validator.join(p, "Value"), "Missing data for required field.")
            }
            if let name, let value { result.append(Tag(name: name, value: value)) }
        }
        return result
    }

    /// Python truthiness of a raw value: what "specified" means in Starfleet's AllAccounts rule.
    static func isTruthy(_ node: Node) -> Bool {
        switch node.value {
        case .null: return false
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s): return !s.isEmpty
        case .sequence(let items): return !items.isEmpty
        case .mapping(let entries): return !entries.isEmpty
        }
    }
}

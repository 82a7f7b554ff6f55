import A2ALRPC

/// Finds methods whose results could carry key material, from their result schemas in the
/// OpenRPC document (docs/mcp.md, "Secrets"). A2AL agent keys are the whole identity of an
/// agent: a tool that revealed one would hand it to the model and to whatever the model
/// talks to. `agent.export` is excluded by name as well; this catches any later method of the
/// same kind without anyone remembering to list it.
public enum SecretAudit {
    /// Lowercase fragments of property names that mean a secret.
    static let secretWords = ["private", "secret", "seed", "mnemonic", "password", "passphrase"]

    /// The secret-looking property names anywhere in `schema`, following references into
    /// `components` (each followed once).
    public static func secretProperties(in schema: JSONValue, components: JSONObject) -> [String] {
        var found: [String] = []
        var followed = Set<String>()
        walk(schema, components: components, followed: &followed, found: &found)
        return found
    }

    private static func walk(_ value: JSONValue, components: JSONObject, followed: inout Set<String>, found: inout [String]) {
        switch value {
        case .object(let o):
            for (k, v) in o {
                if k == "$ref", let ref = v.stringValue, let name = ref.split(separator: "/").last.map(String.init) {
                    if followed.insert(name).inserted, let def = components[name] {
                        walk(def, components: components, followed: &followed, found: &found)
                    }
                    continue
                }
                if k == "properties", let props = v.objectValue {
                    for (p, _) in props where isSecret(p) && !found.contains(p) { found.append(p) }
                }
                walk(v, components: components, followed: &followed, found: &found)
            }
        case .array(let a):
            for v in a { walk(v, components: components, followed: &followed, found: &found) }
        default:
            break
        }
    }

    static func isSecret(_ property: String) -> Bool {
        let p = property.lowercased()
        return secretWords.contains { p.contains($0) }
    }
}

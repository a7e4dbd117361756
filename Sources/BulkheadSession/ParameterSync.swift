// Builds the statement that makes a server connection's parameters match what its client expects.

/// Computes and quotes the parameter changes to apply when a connection passes to a client.
public enum ParameterSync {
    /// Startup parameters that are not run-time settings and never reach the server as such.
    public static let nonSettings: Set<String> = ["user", "database", "options", "replication"]

    /// The SQL that turns `link`'s parameters into `wanted`, or nil when they already match.
    ///
    /// Parameters the link carries from an earlier client that `wanted` does not name go back to
    /// their login values, so nothing one client set is seen by the next.
    public static func statement(wanted: ParameterSet, link: ServerLink) -> String? {
        var calls: [String] = []
        var seen = Set<String>()
        for parameter in wanted.sorted {
            seen.insert(parameter.name.lowercased())
            if link.parameters[parameter.name] != parameter.value {
                calls.append(setConfig(parameter.name, literal(parameter.value)))
            }
        }
        for parameter in link.parameters.sorted where !seen.contains(parameter.name.lowercased()) {
            let initial = link.initialParameters[parameter.name]
            guard initial != parameter.value else { continue }
            if let initial {
                calls.append(setConfig(parameter.name, literal(initial)))
            } else {
                let resetValue = "(SELECT reset_val FROM pg_catalog.pg_settings WHERE name = \(literal(parameter.name.lowercased())))"
                calls.append(setConfig(parameter.name, resetValue))
            }
        }
        return calls.isEmpty ? nil : "SELECT " + calls.joined(separator: ", ")
    }

    /// What the link's parameters will be once `statement(wanted:link:)` has run.
    public static func applied(wanted: ParameterSet, link: ServerLink) -> ParameterSet {
        var result = ParameterSet()
        for parameter in link.parameters.sorted where wanted[parameter.name] == nil {
            if let initial = link.initialParameters[parameter.name] { result[parameter.name] = initial }
        }
        return result.merging(wanted)
    }

    private static func setConfig(_ name: String, _ valueExpression: String) -> String {
        "pg_catalog.set_config(\(literal(name)), \(valueExpression), false)"
    }

    /// An escape-string literal. E'' is used because its meaning does not depend on standard_conforming_strings.
    public static func literal(_ value: String) -> String {
        var out = "E'"
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "'": out += "''"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "'"
    }
}

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
        // Runs on every checkout: compare by stored key without building anything unless something differs.
        var calls: [(key: String, call: String)] = []
        for (key, parameter) in wanted.storage where link.parameters.storage[key]?.value != parameter.value {
            calls.append((key, setConfig(parameter.name, literal(parameter.value))))
        }
        // Parameters the server owns (is_superuser after SET ROLE, …) change with other settings and can't be set.
        for (key, parameter) in link.parameters.storage where wanted.storage[key] == nil && !ClientSession.serverOwnedParameters.contains(key) {
            let initial = link.initialParameters.storage[key]?.value
            guard initial != parameter.value else { continue }
            if let initial {
                calls.append((key, setConfig(parameter.name, literal(initial))))
            } else {
                let resetValue = "(SELECT reset_val FROM pg_catalog.pg_settings WHERE name = \(literal(key)))"
                calls.append((key, setConfig(parameter.name, resetValue)))
            }
        }
        guard !calls.isEmpty else { return nil }
        return "SELECT " + calls.sorted { $0.key < $1.key }.map(\.call).joined(separator: ", ")
    }

    /// The SQL that puts back a statement_timeout under one second before the connection returns to the pool,
    /// or nil when there is none.
    ///
    /// The next client's parameter sync would otherwise run under it: PostgreSQL arms the timer before it reads
    /// the sync, a loaded server can miss a millisecond, and the failed sync would end that client's session.
    /// Restored on the way back instead, a failure only closes the connection. PostgreSQL shows a timeout under
    /// a second in milliseconds ("250ms"), so that spelling is the whole test.
    public static func restoreStatement(link: ServerLink) -> String? {
        guard let value = link.parameters["statement_timeout"], value.hasSuffix("ms"),
              let milliseconds = Int(value.dropLast(2)), milliseconds > 0 else { return nil }
        let initial = link.initialParameters["statement_timeout"] ?? "0"
        guard value != initial else { return nil }
        return "SELECT " + setConfig("statement_timeout", literal(initial))
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

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
        // Runs on every checkout. Most often the connection was last synced for this very (interned) set.
        if let synced = link.syncedWanted, synced.isIdentical(to: wanted) { return nil }
        // Arrays' own equality compares storage first, then walks them pairwise.
        if wanted == link.parameters { return nil }
        // Otherwise one merge of two sorted arrays, building nothing unless something differs.
        let want = wanted.entries
        let have = link.parameters.entries
        let initial = link.initialParameters.entries
        var calls: [(key: String, call: String)] = []
        var w = 0
        var h = 0
        // The login values, walked beside `have`: a connection's keys are its login keys plus a few more.
        var i = 0
        while w < want.count || h < have.count {
            // Keys mostly match one for one, and equality of short strings is cheaper than ordering.
            if w < want.count, h < have.count, want[w].key == have[h].key {
                if want[w].parameter.value != have[h].parameter.value { calls.append(setCall(want[w])) }
                w += 1
                h += 1
            } else if h == have.count || (w < want.count && want[w].key < have[h].key) {
                calls.append(setCall(want[w]))
                w += 1
            } else {
                // Set by an earlier client and not wanted by this one: back to its login value.
                let key = have[h].key
                while i < initial.count, initial[i].key != key, initial[i].key < key { i += 1 }
                let login = i < initial.count && initial[i].key == key ? initial[i].parameter.value : nil
                if let call = restoreCall(have[h], initial: login) { calls.append((key, call)) }
                h += 1
            }
        }
        guard !calls.isEmpty else { return nil }
        return "SELECT " + calls.sorted { $0.key < $1.key }.map(\.call).joined(separator: ", ")
    }

    /// The call that gives a parameter the value the client wants.
    private static func setCall(_ entry: ParameterSet.Entry) -> (key: String, call: String) {
        (entry.key, setConfig(entry.parameter.name, literal(entry.parameter.value)))
    }

    /// The call that returns a parameter the client does not want to its login value, or nil if it has it.
    private static func restoreCall(_ entry: ParameterSet.Entry, initial: String?) -> String? {
        guard initial != entry.parameter.value else { return nil }
        // Parameters the server owns (is_superuser after SET ROLE, …) change with other settings and can't be set.
        if ClientSession.serverOwnedParameters.contains(entry.key) { return nil }
        if let initial { return setConfig(entry.parameter.name, literal(initial)) }
        let resetValue = "(SELECT reset_val FROM pg_catalog.pg_settings WHERE name = \(literal(entry.key)))"
        return setConfig(entry.parameter.name, resetValue)
    }

    /// The SQL that puts back a statement_timeout under one second before the connection returns to the pool,
    /// or nil when there is none.
    ///
    /// The next client's parameter sync would otherwise run under it: PostgreSQL arms the timer before it reads
    /// the sync, a loaded server can miss a millisecond, and the failed sync would end that client's session.
    /// Restored on the way back instead, a failure only closes the connection. PostgreSQL shows a timeout under
    /// a second in milliseconds ("250ms"), so that spelling is the whole test.
    public static func restoreStatement(link: ServerLink) -> String? {
        guard let value = link.parameters.value(forKey: "statement_timeout"), value.hasSuffix("ms"),
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

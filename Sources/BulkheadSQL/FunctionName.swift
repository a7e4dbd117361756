// Reads the name of a called function out of a FuncCall node.

extension SQLNode {
    /// The qualified name of a `FuncCall` (or any node with a `funcname` list): `db.schema.f` keeps schema
    /// and name, since PostgreSQL itself refuses a database other than the current one.
    /// Nil when the name is not a plain list of strings (fail closed).
    var functionName: QualifiedName? {
        guard let parts = names("funcname"), let name = parts.last else { return nil }
        switch parts.count {
        case 1: return QualifiedName(schema: nil, name: name)
        case 2, 3: return QualifiedName(schema: parts[parts.count - 2], name: name)
        default: return nil
        }
    }
}

/// A set of functions given by configuration (`allowed_functions`, `read_only_functions`).
struct FunctionNameSet: Sendable, Hashable {
    private let qualified: Set<QualifiedName>

    init(_ names: Set<QualifiedName>) {
        self.qualified = names
    }

    /// A schema-qualified call matches only an entry with that very schema, so an entry never opens the
    /// same name in another tenant's schema. An unqualified call (resolved by the server's search_path, which
    /// the tenant cannot change) matches any entry of that name.
    func contains(_ call: QualifiedName) -> Bool {
        if call.schema != nil { return qualified.contains(call) }
        return qualified.contains { $0.name == call.name }
    }

    /// True when a call names a built-in from `list`: unqualified, or qualified with `pg_catalog`.
    static func isBuiltin(_ call: QualifiedName, in list: Set<String>) -> Bool {
        (call.schema == nil || call.schema == "pg_catalog") && list.contains(call.name)
    }
}

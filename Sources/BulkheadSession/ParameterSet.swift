// Run-time parameters (GUCs) keyed case-insensitively, as PostgreSQL treats their names.

/// A set of run-time parameters, keyed by lower-cased name but remembering the spelling to report.
public struct ParameterSet: Sendable, Hashable, Sequence {
    /// One parameter with the spelling PostgreSQL reports it under.
    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    /// Keyed by lower-cased name.
    private(set) var storage: [String: Parameter] = [:]

    public init() {}

    public init(_ pairs: [(String, String)]) {
        for (name, value) in pairs { self[name] = value }
    }

    public subscript(name: String) -> String? {
        get { storage[name.lowercased()]?.value }
        set {
            let key = name.lowercased()
            if let newValue {
                // Keep the first spelling seen: the server's spelling wins once it has reported the parameter.
                let spelling = storage[key]?.name ?? name
                storage[key] = Parameter(name: spelling, value: newValue)
            } else {
                storage[key] = nil
            }
        }
    }

    public var count: Int { storage.count }

    /// Parameters in a stable order (by name), so that what is sent is reproducible.
    public var sorted: [Parameter] { storage.values.sorted { $0.name.lowercased() < $1.name.lowercased() } }

    public func makeIterator() -> IndexingIterator<[Parameter]> { sorted.makeIterator() }

    /// This set with `other`'s values laid over it.
    public func merging(_ other: ParameterSet) -> ParameterSet {
        var merged = self
        for parameter in other.storage.values { merged[parameter.name] = parameter.value }
        return merged
    }
}

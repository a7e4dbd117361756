// Run-time parameters (GUCs) keyed case-insensitively, as PostgreSQL treats their names.

/// A set of run-time parameters, keyed by lower-cased name but remembering the spelling to report.
///
/// Kept as an array sorted by key rather than a dictionary: a set holds a dozen or two entries, and the
/// comparison every connection checkout makes (``ParameterSync``) is then a merge of two sorted arrays,
/// with no hashing.
public struct ParameterSet: Sendable, Hashable, Sequence {
    /// One parameter with the spelling PostgreSQL reports it under.
    public struct Parameter: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    /// One entry: the lower-cased key and the parameter.
    struct Entry: Sendable, Hashable {
        var key: String
        var parameter: Parameter
    }

    /// Sorted by key, keys unique.
    private(set) var entries: [Entry] = []

    public init() {}

    public init(_ pairs: [(String, String)]) {
        for (name, value) in pairs { self[name] = value }
    }

    /// The index of `key` (lower-cased), or where it would be inserted.
    private func position(of key: String) -> (index: Int, found: Bool) {
        var low = 0
        var high = entries.count
        while low < high {
            let middle = (low + high) / 2
            let probe = entries[middle].key
            if probe == key { return (middle, true) }
            if probe < key { low = middle + 1 } else { high = middle }
        }
        return (low, false)
    }

    /// The value under an already lower-cased key.
    func value(forKey key: String) -> String? {
        let (index, found) = position(of: key)
        return found ? entries[index].parameter.value : nil
    }

    /// The names PostgreSQL reports, and a few more that clients set, each as one shared String: keys of
    /// different sets then share storage, and comparing them is a comparison of two words.
    private static let canonicalKeys: [String: String] = Dictionary(uniqueKeysWithValues: [
        "application_name", "client_encoding", "datestyle", "default_transaction_read_only", "in_hot_standby",
        "integer_datetimes", "intervalstyle", "is_superuser", "server_encoding", "server_version",
        "session_authorization", "standard_conforming_strings", "timezone", "search_path", "statement_timeout",
        "lock_timeout", "extra_float_digits", "idle_in_transaction_session_timeout",
    ].map { ($0, $0) })

    /// `key` as the shared instance, when it is one of the known names.
    static func canonical(_ key: String) -> String { canonicalKeys[key] ?? key }

    public subscript(name: String) -> String? {
        get { value(forKey: name.lowercased()) }
        set {
            let key = Self.canonical(name.lowercased())
            let (index, found) = position(of: key)
            switch (newValue, found) {
            case (let value?, true):
                // Keep the first spelling seen: the server's spelling wins once it has reported the parameter.
                entries[index].parameter.value = value
            case (let value?, false):
                entries.insert(Entry(key: key, parameter: Parameter(name: name, value: value)), at: index)
            case (nil, true):
                entries.remove(at: index)
            case (nil, false):
                break
            }
        }
    }

    public var count: Int { entries.count }

    /// True when both share one storage, which implies equal contents at the cost of a pointer comparison.
    public func isIdentical(to other: ParameterSet) -> Bool {
        entries.withUnsafeBufferPointer { mine in
            other.entries.withUnsafeBufferPointer { theirs in mine.baseAddress == theirs.baseAddress && mine.count == theirs.count }
        }
    }

    /// Parameters in a stable order (by lower-cased name), so that what is sent is reproducible.
    public var sorted: [Parameter] { entries.map(\.parameter) }

    public func makeIterator() -> IndexingIterator<[Parameter]> { sorted.makeIterator() }

    /// This set with `other`'s values laid over it.
    public func merging(_ other: ParameterSet) -> ParameterSet {
        var merged = self
        for entry in other.entries { merged[entry.parameter.name] = entry.parameter.value }
        return merged
    }
}

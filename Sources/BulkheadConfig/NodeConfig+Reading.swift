// Reads one `[[nodes]]` table.

extension NodeConfig {
    /// Reads and checks one node; nil when a required key is missing or invalid (already reported).
    init?(reading table: TableReader) {
        let name = table.parsed("name", required: true, NameRules.label)
        let host = table.parsed("host", required: true) { text in
            text.isEmpty ? .failure("must not be empty") : .success(text)
        }
        let port = table.integer("port", in: 1...65535) ?? 5432
        let role = table.requiredChoice("role", as: NodeRole.self)
        let weight = table.integer("weight", in: 0...1000) ?? 1
        table.rejectUnknownKeys()
        guard let name, let host, let role else { return nil }
        self.init(name: name, host: host, port: port, role: role, weight: weight)
    }
}

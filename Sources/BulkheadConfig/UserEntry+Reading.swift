// Reads one user table, either a `[[users]]` entry or an inline table of a tenant's `users`.

extension UserEntry {
    /// Reads and checks one user; nil when a required key is missing or invalid (already reported).
    init?(reading table: TableReader, scope: UserScope, defaultAuthMethod: AuthMethod) {
        let name = table.parsed("name", required: true, NameRules.postgresName)
        let passwordGiven = table.contains("password")
        let password = table.string("password")
        let authMethod = table.choice("auth_method", as: AuthMethod.self) ?? defaultAuthMethod
        let poolMode = table.choice("pool_mode", as: PoolMode.self)
        let databases: [String]?
        switch scope {
        case .plain(let known):
            databases = Self.readDatabases(table, known: known)
        case .tenant(_, let database):
            databases = [database]
        }
        let secret = Self.checkSecret(table, given: passwordGiven, password: password, method: authMethod)
        table.rejectUnknownKeys()

        guard let name, secret.isValid else { return nil }
        var tenantName: String?
        if case .tenant(let tenant, _) = scope { tenantName = tenant }
        self.init(
            name: name, password: password, secret: secret.value, authMethod: authMethod,
            poolMode: poolMode, databases: databases, tenantName: tenantName
        )
    }

    /// An empty list means every database, like leaving the key out.
    private static func readDatabases(_ table: TableReader, known: [String]) -> [String]? {
        guard let entries = table.stringList("databases") else { return nil }
        for (database, path) in entries where !known.contains(database) {
            table.diagnostics.report(
                path, "no [[databases]] entry named \"\(database)\"" + KeySuggester.hint(for: database, among: known)
            )
        }
        let names = entries.map(\.text)
        return names.isEmpty ? nil : names
    }

    /// Checks that the password is well formed and usable with the user's authentication method.
    private static func checkSecret(
        _ table: TableReader, given: Bool, password: String?, method: AuthMethod
    ) -> (value: PasswordSecret?, isValid: Bool) {
        guard let password else {
            // A password of the wrong type was reported already; only a missing one is reported here.
            if !given && method != .trust {
                table.report("password", "is required unless auth_method = \"trust\"")
                return (nil, false)
            }
            return (nil, !given)
        }
        if password.isEmpty && method != .trust {
            table.report("password", "must not be empty unless auth_method = \"trust\"")
            return (nil, false)
        }
        switch PasswordSecret.parse(password) {
        case .failure(let message):
            table.report("password", message.text)
            return (nil, false)
        case .success(let secret) where !secret.supports(method):
            table.report("password", Self.mismatch(method: method, secret: secret))
            return (nil, false)
        case .success(let secret):
            return (secret, true)
        }
    }

    private static func mismatch(method: AuthMethod, secret: PasswordSecret) -> String {
        let got: String
        switch secret {
        case .plaintext: got = "a plaintext password"
        case .md5: got = "an md5 hash"
        case .scram: got = "a SCRAM verifier"
        }
        switch method {
        case .md5: return "md5 needs a plaintext or md5 secret, got \(got)"
        case .scramSHA256: return "scram-sha-256 needs a plaintext or SCRAM secret, got \(got)"
        case .trust: return "trust needs no secret"
        }
    }
}

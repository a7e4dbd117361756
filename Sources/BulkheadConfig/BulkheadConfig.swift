// The root of the configuration model and its entry points: load, parse and the lookups the proxy needs.

import Foundation
import TOMLKit

/// Bulkhead's validated configuration: proxy settings, servers, databases, tenants and users.
///
/// Built only by `load(path:)` or `parse(_:file:)`, which check every value and every cross reference and
/// report all problems at once.
public struct BulkheadConfig: Sendable, Hashable {
    /// `[proxy]`: process settings and the defaults others inherit.
    public var proxy: ProxySettings
    /// `[[nodes]]`: the PostgreSQL servers, at least one.
    public var nodes: [NodeConfig]
    /// `[[databases]]`: what clients can connect to, at least one.
    public var databases: [DatabaseConfig]
    /// `[[tenants]]`: tenants and their users.
    public var tenants: [TenantConfig]
    /// `[[users]]`: users not confined to a tenant.
    public var users: [UserEntry]

    /// Reads and validates the TOML file at `path`; errors name `path` as given.
    public static func load(path: String) throws(ConfigErrors) -> BulkheadConfig {
        try parse(ConfigFileReader.read(path: path), file: path)
    }

    /// Parses and validates TOML `text`; `file` is only used to label errors.
    public static func parse(_ text: String, file: String) throws(ConfigErrors) -> BulkheadConfig {
        let document = try TOMLDocumentParser.parse(text, file: file)
        let diagnostics = Diagnostics(file: file, locator: SourceLocator(text: text))
        guard let config = ConfigDocumentReader(diagnostics: diagnostics).read(document) else {
            throw ConfigErrors(errors: diagnostics.sortedErrors)
        }
        return config
    }

    /// The database clients call `name`.
    public func database(named name: String) -> DatabaseConfig? {
        databases.first { $0.name == name }
    }

    /// Finds who may log in: a tenant user or a plain user, with the tenant if any.
    /// Nil if the user doesn't exist or may not use that database.
    public func login(user: String, database: String) -> Login? {
        guard let target = self.database(named: database) else { return nil }
        for tenant in tenants {
            if let entry = tenant.users.first(where: { $0.name == user }) {
                // Names are unique, so a tenant user is never also a plain user.
                return tenant.database == database ? Login(user: entry, database: target, tenant: tenant) : nil
            }
        }
        guard let entry = users.first(where: { $0.name == user }), entry.mayUse(database: database) else { return nil }
        return Login(user: entry, database: target, tenant: nil)
    }
}

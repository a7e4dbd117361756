// Checksums every tenant's demo rows directly on the primary, so an attack that changes anyone's data is caught.

import Foundation

/// A superuser connection straight to the primary (bypassing the proxy) that fingerprints all demo data.
///
/// The checksum is one md5 per tenant per layout (shared layout by organization_id, each tenant schema) plus
/// the global `public.plans`, so a failure names whose rows changed. Attack rows that a tenant may legitimately
/// insert into its own tables use ids from 900000 up, which `removeAttackRows` deletes.
final class TenantDataGuard {
    private let connection: PQConnection
    let baseline: [String: String]

    init() throws {
        let connection = try PQConnection(Cluster.direct())
        try connection.exec(Self.cleanupSQL)
        self.connection = connection
        baseline = try Self.snapshot(on: connection)
    }

    private static let tables = [("o", "organizations", "id"), ("u", "users", "organization_id"),
                                 ("f", "folders", "organization_id"), ("d", "documents", "organization_id"),
                                 ("v", "document_versions", "organization_id")]

    private static let checksumSQL: String = {
        let shared = tables.map { letter, table, column in
            "SELECT \(column) AS org, '\(letter)' || t::text AS r FROM \(table == "users" ? "auth" : "app").\(table) t"
        }.joined(separator: " UNION ALL ")
        var parts = ["SELECT 'shared:' || org AS k, md5(string_agg(r, '|' ORDER BY r)) AS h FROM (\(shared)) s GROUP BY org"]
        for tenant in TenantLogin.all {
            let rows = tables.map { letter, table, _ in "SELECT '\(letter)' || t::text AS r FROM \(tenant.schema).\(table) t" }
                .joined(separator: " UNION ALL ")
            parts.append("SELECT 'schema:\(tenant.name)', md5(string_agg(r, '|' ORDER BY r)) FROM (\(rows)) s")
        }
        parts.append("SELECT 'plans', md5(string_agg(p::text, '|' ORDER BY p::text)) FROM public.plans p")
        return "SELECT k, h FROM (" + parts.joined(separator: " UNION ALL ") + ") x"
    }()

    /// Checksums keyed `shared:<org id>`, `schema:<tenant>` and `plans`.
    func snapshot() throws -> [String: String] { try Self.snapshot(on: connection) }

    private static func snapshot(on connection: PQConnection) throws -> [String: String] {
        var out: [String: String] = [:]
        for row in try connection.exec(checksumSQL).rows {
            if let key = row[0] { out[key] = row[1] ?? "" }
        }
        return out
    }

    /// Whose data differs from the baseline (tenant names, or "plans").
    func changedOwners() throws -> Set<String> {
        let now = try snapshot()
        var changed = Set<String>()
        for key in Set(now.keys).union(baseline.keys) where now[key] != baseline[key] {
            if key == "plans" { changed.insert("plans"); continue }
            if key.hasPrefix("schema:") { changed.insert(String(key.dropFirst("schema:".count))); continue }
            let org = Int(key.dropFirst("shared:".count)) ?? 0
            changed.insert(TenantLogin.all.first { $0.orgID == org }?.name ?? key)
        }
        return changed
    }

    /// Deletes rows an attacker may have inserted into its own tables (ids 900000 and up), in both layouts.
    func removeAttackRows() throws { try connection.exec(Self.cleanupSQL) }

    private static let cleanupSQL: String = {
        var statements: [String] = []
        for schema in ["app"] + TenantLogin.all.map(\.schema) {
            let users = schema == "app" ? "auth.users" : "\(schema).users"
            statements += ["DELETE FROM \(schema).document_versions WHERE id >= 900000 OR document_id >= 900000",
                           "DELETE FROM \(schema).documents WHERE id >= 900000 OR folder_id >= 900000 OR owner_id >= 900000",
                           "DELETE FROM \(schema).folders WHERE id >= 900000",
                           "DELETE FROM \(users) WHERE id >= 900000",
                           "DELETE FROM \(schema).organizations WHERE id >= 900000"]
        }
        return statements.joined(separator: "; ")
    }()

    /// Runs SQL directly on the primary as the superuser.
    @discardableResult
    func direct(_ sql: String) throws -> PQRows { try connection.exec(sql) }
}

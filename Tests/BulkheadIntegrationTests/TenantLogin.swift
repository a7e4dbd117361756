// The four demo tenants of the test configuration, and what identifies each one's data in any output.

import Foundation

/// A tenant user of the fixture (see `ProxyFixture.toml`) and the facts of its demo data (deploy/local/demo.sql).
struct TenantLogin: Sendable, Equatable, CustomStringConvertible {
    let name: String
    let user: String
    let password: String
    /// The proxy database it logs in to.
    let database: String
    /// `app.organizations.id` of the tenant in the shared layout.
    let orgID: Int
    /// True for `docs_shared` (shared schema), false for `docs_by_schema`.
    let isShared: Bool
    /// `current_user` on its server connections.
    let serverRole: String

    var description: String { name }

    /// The tenant's schema in the schema-per-tenant layout.
    var schema: String { "tenant_\(name)" }
    /// The id of its secret document (`<tenant>-secret-roadmap`) in both layouts.
    var secretDocument: Int { orgID * 1000 + 1 }
    /// Its first folder and first user (alice), in both layouts.
    var firstFolder: Int { orgID * 100 + 1 }
    var firstUser: Int { orgID * 100 + 1 }
    var marker: String { "SECRET-\(name.uppercased())-ROADMAP" }

    /// Substrings that only this tenant's rows contain (titles, folder names, emails, contents, the secret).
    /// A response to another tenant holding any of them is a leak.
    var fingerprints: [String] { [marker, "\(name)-", "@\(name).example", "of the \(name) team", "\(name)'s"] }

    /// The documents table as this tenant names it.
    var documentsTable: String { isShared ? "app.documents" : "documents" }
    /// The forced search_path the proxy gives this tenant's server sessions, as SHOW prints it.
    var searchPath: String { isShared ? "public" : "\"\(schema)\", pg_temp" }

    static let acme = TenantLogin(name: "acme", user: "acme_app", password: "acme-secret", database: "docs_shared",
                                  orgID: 1, isShared: true, serverRole: "postgres")
    static let globex = TenantLogin(name: "globex", user: "globex_app", password: "globex-secret", database: "docs_shared",
                                    orgID: 2, isShared: true, serverRole: "postgres")
    static let initech = TenantLogin(name: "initech", user: "initech_app", password: "initech-secret",
                                     database: "docs_by_schema", orgID: 3, isShared: false, serverRole: "postgres")
    static let umbrella = TenantLogin(name: "umbrella", user: "umbrella_app", password: "umbrella-secret",
                                      database: "docs_by_schema", orgID: 4, isShared: false, serverRole: "tenant_umbrella")

    static let all = [acme, globex, initech, umbrella]

    /// Every tenant but this one: their fingerprints must never reach this tenant.
    var others: [TenantLogin] { Self.all.filter { $0 != self } }

    /// The fingerprints of other tenants found in `text` (case-insensitive), or cells equal to another tenant's name.
    func foreignTraces(in text: String) -> [String] {
        let lowered = text.lowercased()
        var found: [String] = []
        for other in others {
            for print in other.fingerprints where lowered.contains(print.lowercased()) { found.append(print) }
            if lowered == other.name { found.append("the name \(other.name)") }
        }
        return found
    }
}

/// An attacker and the tenant it attacks on the same pool.
struct AttackPair: Sendable, CustomStringConvertible {
    let attacker: TenantLogin
    let victim: TenantLogin

    var description: String { "\(attacker.name)->\(victim.name)" }

    static let shared = [AttackPair(attacker: .acme, victim: .globex), AttackPair(attacker: .globex, victim: .acme)]
    static let schema = [AttackPair(attacker: .initech, victim: .umbrella), AttackPair(attacker: .umbrella, victim: .initech)]

    /// Fills an attack template: `{vid}`/`{oid}` organization ids, `{vschema}`/`{oschema}` schemas, `{VSCHEMA}`
    /// upper case, `{vname}`/`{oname}` tenant names, `{vrole}` the victim's role, `{vdoc}`/`{odoc}` secret
    /// documents, `{vfolder}`/`{ofolder}` and `{vuser}`/`{ouser}` first folder and user, `{docs}` the attacker's
    /// documents table.
    func expand(_ template: String) -> String {
        guard template.contains("{") else { return template }
        let values: [(String, String)] = [
            ("{vid}", "\(victim.orgID)"), ("{oid}", "\(attacker.orgID)"),
            ("{vschema}", victim.schema), ("{oschema}", attacker.schema), ("{VSCHEMA}", victim.schema.uppercased()),
            ("{vname}", victim.name), ("{oname}", attacker.name), ("{vrole}", "tenant_\(victim.name)"),
            ("{vdoc}", "\(victim.secretDocument)"), ("{odoc}", "\(attacker.secretDocument)"),
            ("{vfolder}", "\(victim.firstFolder)"), ("{ofolder}", "\(attacker.firstFolder)"),
            ("{vuser}", "\(victim.firstUser)"), ("{ouser}", "\(attacker.firstUser)"),
            ("{docs}", attacker.documentsTable),
        ]
        var text = template
        for (key, value) in values { text = text.replacingOccurrences(of: key, with: value) }
        return text
    }
}

// Attacks below SQL: prepared statements and portals of another tenant, FunctionCall frames, startup
// parameters and cancel keys, each through a pool of one server connection shared with the victim.

import CLibPQ
import Foundation
import XCTest

final class TenantProtocolAttackTests: XCTestCase {
    private static let pairs = AttackPair.shared + AttackPair.schema

    // MARK: Prepared statements

    /// Victim prepares `s1`; on the same server connection the attacker tries Bind/Describe of `s1`, of the
    /// server-side name, and of the unnamed statement the victim left behind; then prepares its own `s1` with
    /// the same text, and each must still get its own rows. Both orders, both pool modes.
    func testAnotherTenantsPreparedStatementsAreOutOfReach() throws {
        var attempts = 0
        for poolMode in ["session", "transaction"] {
            let proxy = try ProxyFixture.start(ProxyOptions(poolMode: poolMode, poolSize: 1))
            defer { proxy.stop() }
            let data = try TenantDataGuard()
            for pair in Self.pairs {
                let context = "\(pair) [\(poolMode)]"
                let victimText = "SELECT content FROM \(pair.victim.documentsTable) WHERE id = $1"
                var victim: TenantClient? = try TenantClient(proxy: proxy, login: pair.victim)
                XCTAssertNil(victim?.prepare("s1", victimText).error, context)
                XCTAssertEqual(victim?.executePrepared("s1", ["\(pair.victim.secretDocument)"]).first?.hasPrefix(pair.victim.marker), true, context)
                // The unnamed statement is left on the server connection by the victim's last extended query.
                _ = victim?.run("SELECT content FROM \(pair.victim.documentsTable) WHERE id = $1",
                                parameters: ["\(pair.victim.secretDocument)"], via: .extended)
                if poolMode == "session" { victim = nil }

                // Bind and Describe of the unnamed statement without a Parse of one's own (a raw client, which
                // disconnects before the libpq one logs in: under session pooling each holds the connection).
                attempts += try rawUnnamedStatementAttempts(proxy: proxy, pair: pair, context: context)
                let attacker = try TenantClient(proxy: proxy, login: pair.attacker)
                for outcome in [attacker.executePrepared("s1", ["\(pair.victim.secretDocument)"]), attacker.describePrepared("s1")] {
                    attempts += 1
                    assertNoLeak(outcome.texts, attacker: pair.attacker, context)
                    XCTAssertEqual(outcome.error?.sqlState, "26000", "\(context): \(outcome.summary)")
                }
                for sql in ["EXECUTE s1(\(pair.victim.secretDocument))", "DEALLOCATE s1", "SELECT * FROM pg_prepared_statements"] {
                    for wire in WireProtocol.allCases {
                        attempts += 1
                        let outcome = attacker.run(sql, via: wire)
                        assertNoLeak(outcome.texts, attacker: pair.attacker, context)
                        XCTAssertTrue(AttackExpectation.refusalStates.contains(outcome.error?.sqlState ?? ""), "\(context) \(sql): \(outcome.summary)")
                    }
                }
                // The server-side name the proxy gives the victim's statement (schema mode forwards the text as is).
                if !pair.victim.isShared {
                    let serverName = try data.direct("""
                        SELECT 'bh_' || left(encode(sha256(convert_to('\(pair.victim.name)', 'UTF8') || '\\x00'::bytea \
                        || convert_to('\(victimText)', 'UTF8')), 'hex'), 32)
                        """).first ?? ""
                    for outcome in [attacker.executePrepared(serverName, ["\(pair.victim.secretDocument)"]), attacker.describePrepared(serverName)] {
                        attempts += 1
                        assertNoLeak(outcome.texts, attacker: pair.attacker, context)
                        XCTAssertEqual(outcome.error?.sqlState, "26000", "\(context) \(serverName): \(outcome.summary)")
                    }
                }
                // The attacker's own s1, with the very same text in schema mode: its own rows only.
                let ownText = "SELECT content FROM \(pair.attacker.documentsTable) WHERE id = $1"
                XCTAssertNil(attacker.prepare("s1", ownText).error, context)
                XCTAssertEqual(attacker.executePrepared("s1", ["\(pair.attacker.secretDocument)"]).first?.hasPrefix(pair.attacker.marker), true, context)
                let foreign = attacker.executePrepared("s1", ["\(pair.victim.secretDocument)"])
                attempts += 1
                assertNoLeak(foreign.texts, attacker: pair.attacker, context)
                XCTAssertEqual(foreign.rowCount, 0, "\(context): \(foreign.summary)")
                if poolMode == "transaction", let victim {
                    let again = victim.executePrepared("s1", ["\(pair.victim.secretDocument)"])
                    XCTAssertEqual(again.first?.hasPrefix(pair.victim.marker), true, "\(context): the victim's s1 now gives \(again.summary)")
                }
                XCTAssertEqual(try data.changedOwners(), [], context)
            }
        }
        print("TenantProtocolAttack prepared statements: \(attempts) attempts")
    }

    /// A raw client of the attacker Binds and Describes the unnamed statement and portal it never created.
    private func rawUnnamedStatementAttempts(proxy: ProxyFixture, pair: AttackPair, context: String) throws -> Int {
        let raw = try TenantWireClient(port: proxy.port)
        let login = try raw.login(user: pair.attacker.user, password: pair.attacker.password, database: pair.attacker.database)
        XCTAssertEqual(login.last?.kind, "Z", "\(context): raw login \(login.map(\.kind))")
        var attempts = 0
        let probes: [[UInt8]] = [
            TenantWireClient.bind(portal: "", statement: "", textParameters: ["\(pair.victim.secretDocument)"])
                + TenantWireClient.execute(portal: "") + TenantWireClient.sync,
            TenantWireClient.describe(statement: "") + TenantWireClient.sync,
            TenantWireClient.describe(portal: "") + TenantWireClient.sync,
            TenantWireClient.execute(portal: "") + TenantWireClient.sync,
            TenantWireClient.bind(portal: "p1", statement: "s1", textParameters: ["\(pair.victim.secretDocument)"])
                + TenantWireClient.execute(portal: "p1") + TenantWireClient.sync,
        ]
        for probe in probes {
            attempts += 1
            try raw.send(probe)
            let answer = raw.readUntilReady()
            assertNoLeak(answer.flatMap(\.texts), attacker: pair.attacker, context)
            XCTAssertFalse(answer.contains { $0.kind == "D" }, "\(context): the attacker got rows from a statement it never prepared")
            XCTAssertFalse(answer.contains { $0.kind == "T" || $0.kind == "t" }, "\(context): the attacker got a description it never prepared")
            XCTAssertEqual(answer.last?.kind, "Z", "\(context): \(answer.map(\.kind))")
        }
        try raw.send(TenantWireClient.query("SELECT count(*) FROM \(pair.attacker.documentsTable)"))
        XCTAssertEqual(raw.readUntilReady().first { $0.kind == "D" }?.texts, ["20"], "\(context): raw session unusable")
        return attempts
    }

    // MARK: Cursors and portals

    func testCursorsDoNotOutliveTheirTransactionOrReachAnotherTenant() throws {
        var attempts = 0
        for poolMode in ["session", "transaction"] {
            let proxy = try ProxyFixture.start(ProxyOptions(poolMode: poolMode, poolSize: 1))
            defer { proxy.stop() }
            for pair in Self.pairs {
                let context = "\(pair) [\(poolMode)]"
                do {
                    let victim = try TenantClient(proxy: proxy, login: pair.victim)
                    try victim.must("BEGIN")
                    try victim.must("DECLARE c1 SCROLL CURSOR FOR SELECT content FROM \(pair.victim.documentsTable) ORDER BY id")
                    XCTAssertEqual(try victim.must("FETCH 1 FROM c1").first?.hasPrefix(pair.victim.marker), true, context)
                    try victim.must("COMMIT")
                    let hold = victim.run("DECLARE c2 CURSOR WITH HOLD FOR SELECT content FROM \(pair.victim.documentsTable)", via: .simple)
                    XCTAssertEqual(hold.error?.sqlState, "0A000", "\(context): \(hold.summary)")
                }
                let attacker = try TenantClient(proxy: proxy, login: pair.attacker)
                for sql in ["FETCH ALL FROM c1", "FETCH PRIOR FROM c1", "MOVE ABSOLUTE 1 IN c1", "FETCH ALL FROM c2", "CLOSE c1"] {
                    for wire in WireProtocol.allCases {
                        attempts += 1
                        let outcome = attacker.run(sql, via: wire)
                        assertNoLeak(outcome.texts, attacker: pair.attacker, context)
                        XCTAssertEqual(outcome.error?.sqlState, "34000", "\(context) \(sql): \(outcome.summary)")
                    }
                }
                let portal = attacker.describePortal("c1")
                attempts += 1
                assertNoLeak(portal.texts, attacker: pair.attacker, context)
                XCTAssertEqual(portal.error?.sqlState, "34000", "\(context): \(portal.summary)")
                XCTAssertEqual(try attacker.must("SELECT count(*) FROM \(pair.attacker.documentsTable)").first, "20", context)
            }
        }
        print("TenantProtocolAttack cursors: \(attempts) attempts")
    }

    // MARK: FunctionCall

    func testFunctionCallMessagesAreRefusedAndTheSessionCarriesOn() throws {
        let proxy = try ProxyFixture.start(ProxyOptions(poolMode: "transaction", poolSize: 1))
        defer { proxy.stop() }
        let data = try TenantDataGuard()
        let functions: [(String, [String])] = [
            ("set_config(text,text,boolean)", ["search_path", "app", "false"]),
            ("current_setting(text)", ["bulkhead.tenant_id"]),
            ("pg_read_file(text)", ["pg_hba.conf"]),
            ("lo_open(oid,integer)", ["1", "262144"]),
            ("pg_terminate_backend(integer,bigint)", ["1", "0"]),
            ("query_to_xml(text,boolean,boolean,text)", ["SELECT content FROM app.documents", "true", "true", ""]),
            ("lower(text)", ["harmless"]),
        ]
        var attempts = 0
        for tenant in TenantLogin.all {
            let client = try TenantClient(proxy: proxy, login: tenant)
            let raw = try TenantWireClient(port: proxy.port)
            XCTAssertEqual(try raw.login(user: tenant.user, password: tenant.password, database: tenant.database).last?.kind, "Z")
            for (signature, arguments) in functions {
                let oid = UInt32(try data.direct("SELECT '\(signature)'::regprocedure::oid").first ?? "") ?? 0
                attempts += 2
                let outcome = client.functionCall(oid: oid, textArguments: arguments)
                assertNoLeak(outcome.texts + [outcome.copyOut], attacker: tenant, "\(tenant) \(signature)")
                XCTAssertEqual(outcome.error?.sqlState, "42501", "\(tenant) PQfn \(signature): \(outcome.summary)")
                XCTAssertEqual(try client.must("SHOW search_path").first, tenant.searchPath, "\(tenant) after PQfn \(signature)")
                try raw.send(TenantWireClient.functionCall(oid: oid, textArguments: arguments))
                let answer = raw.readUntilReady()
                assertNoLeak(answer.flatMap(\.texts), attacker: tenant, "\(tenant) raw F \(signature)")
                XCTAssertEqual(answer.compactMap(\.sqlState), ["42501"], "\(tenant) raw F \(signature): \(answer.map(\.kind))")
                XCTAssertFalse(answer.contains { $0.kind == "V" }, "\(tenant) raw F \(signature) got a FunctionCallResponse")
                try raw.send(TenantWireClient.query("SHOW search_path"))
                XCTAssertEqual(raw.readUntilReady().first { $0.kind == "D" }?.texts, [tenant.searchPath], "\(tenant) raw session after F")
            }
            XCTAssertEqual(try client.must("SELECT count(*) FROM \(tenant.documentsTable)").first, "20")
        }
        XCTAssertEqual(try data.changedOwners(), [])
        print("TenantProtocolAttack FunctionCall: \(attempts) attempts")
    }

    // MARK: Startup parameters

    func testForbiddenStartupParametersRefuseTheLogin() throws {
        let proxy = try ProxyFixture.start(ProxyOptions(poolSize: 1))
        defer { proxy.stop() }
        var attempts = 0
        // Through libpq, the way a real client would try.
        let libpqAttempts: [(TenantLogin, String)] = [
            (.initech, "options='-c search_path=tenant_umbrella'"), (.umbrella, "options='-c role=postgres'"),
            (.acme, "options='--search_path=tenant_globex'"), (.acme, "options='-c row_security=off'"),
            (.globex, "options='-c bulkhead.tenant_id=1'"), (.initech, "replication=database"), (.acme, "replication=true"),
            (.umbrella, "client_encoding=SJIS"), (.acme, "client_encoding=GBK"), (.globex, "options='-c session_authorization=postgres'"),
        ]
        for (tenant, extra) in libpqAttempts {
            attempts += 1
            XCTAssertThrowsError(try proxy.connect(user: tenant.user, password: tenant.password, database: tenant.database, extra: extra),
                                 "\(tenant) \(extra) must not log in") { error in
                XCTAssertTrue(["not allowed", "must", "does not proxy replication"].contains { "\(error)".contains($0) },
                              "\(tenant) \(extra): \(error)")
            }
        }
        // Raw startup packets with parameters libpq cannot send.
        let rawAttempts: [(TenantLogin, String, String)] = [
            (.initech, "search_path", "tenant_umbrella"), (.umbrella, "role", "postgres"), (.initech, "role", "tenant_umbrella"),
            (.acme, "session_authorization", "postgres"), (.acme, "is_superuser", "on"), (.globex, "bulkhead.tenant_id", "1"),
            (.acme, "row_security", "off"), (.acme, "standard_conforming_strings", "off"),
            (.acme, "search_path", "app"), (.initech, "SEARCH_PATH", "tenant_umbrella"), (.umbrella, "Role", "postgres"),
            (.acme, "default_text_search_config", "pg_catalog.simple"), (.acme, "transaction_read_only", "on"),
        ]
        for (tenant, name, value) in rawAttempts {
            attempts += 1
            let raw = try TenantWireClient(port: proxy.port)
            let start = Date()
            let answer = try raw.login(user: tenant.user, password: tenant.password, database: tenant.database, parameters: [(name, value)])
            XCTAssertLessThan(Date().timeIntervalSince(start), 3, "\(tenant) \(name)=\(value): the refusal took too long: \(answer.map(\.kind))")
            XCTAssertFalse(answer.contains { $0.kind == "Z" }, "\(tenant) with \(name)=\(value) logged in")
            XCTAssertTrue(answer.contains { $0.sqlState == "42501" || $0.sqlState == "08P01" },
                          "\(tenant) \(name)=\(value): \(answer.map { "\($0.kind) \($0.fields)" })")
        }
        // An unknown protocol option is declined by NegotiateProtocolVersion, never passed on.
        for tenant in [TenantLogin.globex, .initech] {
            attempts += 1
            let raw = try TenantWireClient(port: proxy.port)
            let answer = try raw.login(user: tenant.user, password: tenant.password, database: tenant.database,
                                       parameters: [("_pq_.search_path", "tenant_umbrella")])
            if answer.last?.kind == "Z" {
                XCTAssertTrue(answer.contains { $0.kind == "v" }, "\(tenant): _pq_ option accepted silently")
                try raw.send(TenantWireClient.query("SHOW search_path"))
                XCTAssertEqual(raw.readUntilReady().first { $0.kind == "D" }?.texts, [tenant.searchPath], "\(tenant)")
            } else {
                XCTAssertTrue(answer.contains { $0.sqlState != nil }, "\(tenant): \(answer.map(\.kind))")
            }
        }
        // A tenant user may only reach its own database, never an unconfined one.
        for (tenant, database) in [(TenantLogin.acme, "docs"), (.acme, "docs_by_schema"), (.initech, "docs_shared"), (.umbrella, "docs")] {
            attempts += 1
            XCTAssertThrowsError(try proxy.connect(user: tenant.user, password: tenant.password, database: database),
                                 "\(tenant) must not log in to \(database)")
        }
        // Allowed parameters still log in, and the proxy's own settings win.
        let allowed = try proxy.connect(user: TenantLogin.acme.user, password: TenantLogin.acme.password, database: "docs_shared",
                                        extra: "application_name=ok options='' client_encoding=UTF8")
        XCTAssertEqual(try allowed.exec("SHOW search_path").first, "public")
        print("TenantProtocolAttack startup parameters: \(attempts) attempts")
    }

    // MARK: Cancel keys

    /// The victim's long query on the only server connection survives the attacker's own cancel key, keys
    /// guessed around it, and random ones; the victim's own key does cancel (so the query was cancellable).
    func testAnotherTenantCannotCancelTheVictimsQuery() throws {
        let longQuery = "SELECT count(*) FROM generate_series(1, 4000) a, generate_series(1, 4000) b"
        var attempts = 0
        for poolMode in ["session", "transaction"] {
            let proxy = try ProxyFixture.start(ProxyOptions(poolMode: poolMode, poolSize: 1))
            defer { proxy.stop() }
            for pair in [AttackPair.shared[0], AttackPair.schema[0]] {
                let context = "\(pair) [\(poolMode)]"
                let attacker: TenantClient
                let victim: TenantClient
                if poolMode == "transaction" {
                    // The attacker has used the very server connection the victim is about to run on.
                    attacker = try TenantClient(proxy: proxy, login: pair.attacker)
                    XCTAssertEqual(try attacker.must("SELECT count(*) FROM \(pair.attacker.documentsTable)").first, "20")
                    victim = try TenantClient(proxy: proxy, login: pair.victim)
                } else {
                    // Session pooling: the victim holds the only server connection, the attacker logs in beside it.
                    victim = try TenantClient(proxy: proxy, login: pair.victim)
                    attacker = try TenantClient(proxy: proxy, login: pair.attacker)
                }
                try victim.connection.send(longQuery)
                Thread.sleep(forTimeInterval: 0.2)
                attempts += 1
                _ = attacker.cancel()
                let pid = UInt32(bitPattern: attacker.connection.backendPID)
                for guess in 0..<60 {
                    attempts += 1
                    var request: [UInt8] = [0, 0, 0, 16, 0x04, 0xD2, 0x16, 0x2E]
                    let guessedPID = guess < 40 ? pid &+ UInt32(guess / 2) &- 10 : UInt32.random(in: 1...UInt32.max)
                    request += withUnsafeBytes(of: guessedPID.bigEndian, Array.init)
                    request += withUnsafeBytes(of: UInt32.random(in: 0...UInt32.max).bigEndian, Array.init)
                    try RawClient(port: proxy.port).send(request)
                }
                let result = try victim.connection.results()
                XCTAssertEqual(result.first, "16000000", "\(context): the victim's query was disturbed")
                // Control: the victim's own key cancels.
                try victim.connection.send(longQuery)
                Thread.sleep(forTimeInterval: 0.2)
                XCTAssertTrue(victim.connection.cancel())
                XCTAssertThrowsError(try victim.connection.results(), context) { error in
                    XCTAssertEqual((error as? PQError)?.sqlState, "57014", "\(context): \(error)")
                }
                if poolMode == "session" { XCTAssertEqual(try victim.must("SELECT 1").first, "1") }
            }
        }
        print("TenantProtocolAttack cancel keys: \(attempts) attempts")
    }

    // MARK: Helpers

    private func assertNoLeak(_ texts: [String], attacker: TenantLogin, _ context: String, file: StaticString = #filePath, line: UInt = #line) {
        for text in texts {
            let traces = attacker.foreignTraces(in: text)
            XCTAssertTrue(traces.isEmpty, "LEAK \(context): \(traces) in \(text.prefix(300))", file: file, line: line)
        }
    }
}

extension TenantClient {
    /// Sends a cancel request with this connection's key, as libpq does.
    func cancel() -> Bool { connection.cancel() }
}

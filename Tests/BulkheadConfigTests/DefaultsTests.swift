// The documented defaults apply to every key that is left out.

import XCTest
@testable import BulkheadConfig

final class DefaultsTests: XCTestCase {
    func testProxyDefaults() throws {
        let proxy = try XCTUnwrap(parse(Fixture.minimal)).proxy
        XCTAssertEqual(proxy.listen, ListenAddress(host: "127.0.0.1", port: 6432))
        XCTAssertEqual(proxy.workers, 0)
        XCTAssertEqual(proxy.poolMode, .session)
        XCTAssertEqual(proxy.maxClientConnections, 10_000)
        XCTAssertEqual(proxy.adminUsers, [])
        XCTAssertEqual(proxy.authMethod, .scramSHA256)
        XCTAssertEqual(proxy.authFailureDelay, .milliseconds(250))
        XCTAssertEqual(proxy.maxMessageLength, 268_435_456)
        XCTAssertEqual(proxy.connectTimeout, .seconds(5))
        XCTAssertEqual(proxy.queryWaitTimeout, .seconds(120))
        XCTAssertEqual(proxy.serverIdleTimeout, .seconds(600))
        XCTAssertEqual(proxy.serverLifetime, .seconds(3600))
        XCTAssertEqual(proxy.serverCheckDelay, .seconds(30))
        XCTAssertEqual(proxy.clientIdleTimeout, .zero)
        XCTAssertEqual(proxy.idleTransactionTimeout, .zero)
        XCTAssertEqual(proxy.serverResetQuery, "DISCARD ALL")
        XCTAssertEqual(proxy.maxPreparedStatements, 200)
        XCTAssertEqual(proxy.sessionFeatures, .pin)
        XCTAssertEqual(proxy.healthCheckInterval, .seconds(1))
        XCTAssertEqual(proxy.maxReplicaLag, .seconds(10))
        XCTAssertEqual(proxy.primaryWaitTimeout, .seconds(10))
        XCTAssertEqual(proxy.logLevel, .info)
        XCTAssertNil(proxy.metricsListen)
        XCTAssertEqual(proxy.shutdownTimeout, .seconds(30))
        XCTAssertEqual(proxy, ProxySettings())
    }

    func testNodeDefaults() throws {
        let node = try XCTUnwrap(parse(Fixture.minimal)?.nodes.first)
        XCTAssertEqual(node, NodeConfig(name: "primary", host: "127.0.0.1", port: 5432, role: .primary, weight: 1))
    }

    func testDatabaseDefaults() throws {
        let database = try XCTUnwrap(parse(Fixture.minimal)?.database(named: "app"))
        XCTAssertEqual(database.serverDatabase, "app")
        XCTAssertEqual(database.serverUser, "postgres")
        XCTAssertEqual(database.serverPassword, "")
        XCTAssertEqual(database.poolSize, 20)
        XCTAssertEqual(database.minPoolSize, 0)
        XCTAssertEqual(database.reservePoolSize, 0)
        XCTAssertEqual(database.poolMode, .session)
        XCTAssertEqual(database.maxPreparedStatements, 200)
        XCTAssertEqual(database.queryWaitTimeout, .seconds(120))
        XCTAssertEqual(database.isolation, IsolationMode.none)
        XCTAssertEqual(database.tenantColumn, "organization_id")
        XCTAssertEqual(database.tenantTables, [])
        XCTAssertEqual(database.globalTables, [])
        XCTAssertEqual(database.allowedFunctions, [])
        XCTAssertTrue(database.readWriteSplit)
        XCTAssertFalse(database.primaryReads)
        XCTAssertEqual(database.consistency, .readYourWrites)
        XCTAssertEqual(database.consistencyScope, .session)
        XCTAssertEqual(database.readOnlyFunctions, [])
        XCTAssertFalse(database.setRLSSetting)
    }

    func testDatabaseInheritsProxyOverridableSettings() throws {
        let text = """
            [proxy]
            pool_mode = "transaction"
            max_prepared_statements = 50
            query_wait_timeout = 7.5

            """ + Fixture.minimal + """
            [[databases]]
            name = "own"
            server_user = "postgres"
            pool_mode = "statement"
            max_prepared_statements = 0
            query_wait_timeout = 0
            """
        let config = try XCTUnwrap(parse(text))
        let inherited = try XCTUnwrap(config.database(named: "app"))
        XCTAssertEqual(inherited.poolMode, .transaction)
        XCTAssertEqual(inherited.maxPreparedStatements, 50)
        XCTAssertEqual(inherited.queryWaitTimeout, .milliseconds(7500))
        let own = try XCTUnwrap(config.database(named: "own"))
        XCTAssertEqual(own.poolMode, .statement)
        XCTAssertEqual(own.maxPreparedStatements, 0)
        XCTAssertEqual(own.queryWaitTimeout, .zero)
    }

    func testSchemaTenantGetsDefaultSchemaAndUserDefaults() throws {
        let text = Fixture.nodes + Fixture.tenantDatabases + """
            [[tenants]]
            name = "Initech"
            database = "schema_db"
            users = [{ name = "initech_app", password = "pw" }]
            """
        let tenant = try XCTUnwrap(parse(text)?.tenants.first)
        XCTAssertEqual(tenant.schema, "tenant_initech")
        XCTAssertNil(tenant.tenantID)
        XCTAssertNil(tenant.serverRole)
        let user = try XCTUnwrap(tenant.users.first)
        XCTAssertEqual(user.authMethod, .scramSHA256)
        XCTAssertNil(user.poolMode)
        XCTAssertEqual(user.databases, ["schema_db"])
        XCTAssertEqual(user.tenantName, "Initech")
        XCTAssertEqual(user.secret, .plaintext("pw"))
    }

    func testPlainUserDefaultsAndEmptyDatabaseListMeansAll() throws {
        let text = Fixture.minimal + """
            [proxy]
            auth_method = "md5"

            [[users]]
            name = "a"
            password = "pw"

            [[users]]
            name = "b"
            password = "pw"
            databases = []
            """
        let users = try XCTUnwrap(parse(text)?.users)
        XCTAssertEqual(users.map(\.authMethod), [.md5, .md5])
        XCTAssertEqual(users.map(\.databases), [nil, nil])
        XCTAssertEqual(users.map(\.tenantName), [nil, nil])
    }

    func testEffectivePoolModeResolvesUserThenDatabaseThenProxy() throws {
        let text = """
            [proxy]
            pool_mode = "transaction"

            """ + Fixture.minimal + """
            [[databases]]
            name = "stmt"
            server_user = "postgres"
            pool_mode = "statement"

            [[users]]
            name = "plain"
            password = "pw"

            [[users]]
            name = "sessiony"
            password = "pw"
            pool_mode = "session"
            """
        let config = try XCTUnwrap(parse(text))
        let app = try XCTUnwrap(config.database(named: "app"))
        let stmt = try XCTUnwrap(config.database(named: "stmt"))
        let plain = try XCTUnwrap(config.users.first { $0.name == "plain" })
        let sessiony = try XCTUnwrap(config.users.first { $0.name == "sessiony" })
        XCTAssertEqual(plain.effectivePoolMode(for: app), .transaction)
        XCTAssertEqual(plain.effectivePoolMode(for: stmt), .statement)
        XCTAssertEqual(sessiony.effectivePoolMode(for: app), .session)
        XCTAssertEqual(sessiony.effectivePoolMode(for: stmt), .session)
    }

    func testFloatAndIntegerDurationsAreAccepted() throws {
        let text = """
            [proxy]
            connect_timeout = 2.5
            server_lifetime = 7200
            auth_failure_delay = 0

            """ + Fixture.minimal
        let proxy = try XCTUnwrap(parse(text)).proxy
        XCTAssertEqual(proxy.connectTimeout, .milliseconds(2500))
        XCTAssertEqual(proxy.serverLifetime, .seconds(7200))
        XCTAssertEqual(proxy.authFailureDelay, .zero)
    }
}

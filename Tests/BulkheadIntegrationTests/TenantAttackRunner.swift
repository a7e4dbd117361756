// Drives attack tables through a proxy with a one-connection pool, interleaving attacker and victim sessions.

import Foundation
import XCTest

/// Runs attacks for attacker/victim pairs and fails the test on any leak, data change or wrong outcome.
///
/// The pool has one server connection, so attacker and victim always share it. Session pooling: a victim
/// session (checks that it starts clean, then leaves settings and a prepared statement behind), then the
/// attacker's session, then the next victim session, and so on, so every attack runs both after and before
/// the victim on the same server connection. Transaction pooling: both stay connected and alternate
/// transaction by transaction. Every attack runs through the simple and the extended protocol; after each,
/// the attacker's session must still work and a checksum of every tenant's rows, taken directly on the
/// primary, must be unchanged.
final class TenantAttackRunner {
    struct Tally {
        var attacks = 0
        var executions = 0
        var refused = 0
        var ran = 0
        var failedOtherwise = 0
    }

    let proxy: ProxyFixture
    let poolMode: String
    let data: TenantDataGuard
    private(set) var tallies: [AttackCategory: Tally] = [:]
    private(set) var failures: [String] = []
    private var victimBaseline: [String: [String: String]] = [:]

    /// Settings a client may change; none may pass from one tenant's session to another's.
    static let watchedSettings = ["application_name", "statement_timeout", "lock_timeout", "default_transaction_read_only",
                                  "default_transaction_isolation", "datestyle", "timezone", "intervalstyle",
                                  "extra_float_digits", "bytea_output", "client_min_messages", "search_path"]

    init(poolMode: String) throws {
        self.poolMode = poolMode
        proxy = try ProxyFixture.start(ProxyOptions(poolMode: poolMode, poolSize: 1))
        data = try TenantDataGuard()
    }

    func stop() { proxy.stop() }

    // MARK: Driving

    /// Runs every attack for every pair and reports the failures to XCTest.
    func run(_ attacks: [TenantAttack], pairs: [AttackPair], label: String, file: StaticString = #filePath, line: UInt = #line) {
        for attack in attacks { tallies[attack.category, default: Tally()].attacks += 1 }
        for pair in pairs {
            let before = failures.count
            do {
                if poolMode == "session" {
                    try runSessionPooled(attacks, pair: pair)
                } else {
                    try runTransactionPooled(attacks, pair: pair)
                }
            } catch {
                fail("\(pair): aborted: \(error)")
            }
            if failures.count - before > 40 { fail("\(pair): too many failures, stopped early") }
        }
        report(label: label)
        for failure in failures.prefix(60) { XCTFail(failure, file: file, line: line) }
        if failures.count > 60 { XCTFail("... and \(failures.count - 60) more failures", file: file, line: line) }
    }

    private func runSessionPooled(_ attacks: [TenantAttack], pair: AttackPair) throws {
        try victimSession(pair.victim, firstOfPair: true)
        for attack in attacks {
            guard failuresFor(pair) <= 40 else { return }
            do {
                // Session pooling: the attacker must disconnect before the victim can have the connection.
                var attacker = try TenantClient(proxy: proxy, login: pair.attacker)
                for wire in WireProtocol.allCases { execute(attack, pair: pair, on: &attacker, via: wire) }
            }
            try victimSession(pair.victim, firstOfPair: false)
        }
    }

    private func runTransactionPooled(_ attacks: [TenantAttack], pair: AttackPair) throws {
        var victim = try TenantClient(proxy: proxy, login: pair.victim)
        try prepareVictim(victim)
        var attacker = try TenantClient(proxy: proxy, login: pair.attacker)
        for attack in attacks {
            guard failuresFor(pair) <= 40 else { return }
            checkVictim(victim, when: "before \(attack.label)", freshSession: false)
            for wire in WireProtocol.allCases { execute(attack, pair: pair, on: &attacker, via: wire) }
            if attack.pinsConnection { attacker = try TenantClient(proxy: proxy, login: pair.attacker) }
            checkVictim(victim, when: "after \(attack.label)", freshSession: false)
            if victim.isBroken {
                fail("\(pair.victim) lost its session after \(attack.label)")
                victim = try TenantClient(proxy: proxy, login: pair.victim)
                try prepareVictim(victim)
            }
        }
    }

    private var failureCounts: [String: Int] = [:]
    private func failuresFor(_ pair: AttackPair) -> Int { failureCounts[pair.description, default: 0] }

    // MARK: The victim

    /// A fresh victim session: it must start clean; it then leaves state behind for the next session to avoid.
    private func victimSession(_ login: TenantLogin, firstOfPair: Bool) throws {
        let victim = try TenantClient(proxy: proxy, login: login)
        if firstOfPair || victimBaseline[login.name] == nil {
            victimBaseline[login.name] = try settings(of: victim)
        }
        checkVictim(victim, when: "at the start of a new session", freshSession: true)
        try prepareVictim(victim)
    }

    private func settings(of client: TenantClient) throws -> [String: String] {
        var values: [String: String] = [:]
        for name in Self.watchedSettings { values[name] = try client.must("SHOW \(name)").first ?? "" }
        return values
    }

    /// Leaves a setting and a protocol-level prepared statement named like an attacker would guess.
    private func prepareVictim(_ victim: TenantClient) throws {
        let login = victim.login
        if victimBaseline[login.name] == nil { victimBaseline[login.name] = try settings(of: victim) }
        try victim.must("SET application_name = '\(login.name)-app'")
        try victim.must("SET statement_timeout = '77s'")
        let prepared = victim.prepare("s1", "SELECT content FROM \(login.documentsTable) WHERE id = $1")
        if let error = prepared.error { throw error }
    }

    private func checkVictim(_ victim: TenantClient, when: String, freshSession: Bool) {
        let login = victim.login
        func check(_ condition: Bool, _ message: @autoclosure () -> String) {
            if !condition { fail("victim \(login) \(when): \(message())") }
        }
        guard !victim.isBroken else { return check(false, "its session is broken") }
        do {
            let baseline = victimBaseline[login.name] ?? [:]
            for (name, expected) in baseline {
                let value = try victim.must("SHOW \(name)").first ?? ""
                switch (name, freshSession) {
                case ("application_name", false): check(value == "\(login.name)-app", "application_name is \(value)")
                case ("statement_timeout", false): check(value == "77s", "statement_timeout is \(value)")
                default: check(value == expected, "\(name) is \(value), expected \(expected)")
                }
            }
            check(try victim.must("SHOW search_path").first == login.searchPath, "search_path changed")
            check(try victim.must("SELECT current_user").first == login.serverRole, "current_user changed")
            let count = try victim.must("SELECT count(*), count(*) FILTER (WHERE content LIKE 'SECRET-%') FROM \(login.documentsTable)")
            check(count.rows.first == ["20", "1"], "sees \(count.rows) of its own documents")
            let prepared = victim.executePrepared("s1", ["\(login.secretDocument)"])
            if freshSession {
                check(prepared.error?.sqlState == "26000", "a prepared statement of an earlier session survived: \(prepared.summary)")
            } else {
                check(prepared.first?.hasPrefix(login.marker) == true, "its prepared statement s1 gave \(prepared.summary)")
            }
            victim.rollbackIfNeeded()
        } catch {
            check(false, "\(error)")
        }
    }

    // MARK: The attacker

    private func execute(_ attack: TenantAttack, pair: AttackPair, on attacker: inout TenantClient, via wire: WireProtocol) {
        let steps = attack.steps.map(pair.expand)
        let context = "\(pair) [\(poolMode)/\(wire.rawValue)] \(attack.category.rawValue): \(steps.joined(separator: " ⏎ "))"
        for step in steps where !pair.attacker.foreignTraces(in: step).isEmpty {
            fail("\(context): the attack text itself carries another tenant's fingerprint; rewrite the test")
        }
        var outcomes: [StepResult] = []
        for (index, step) in steps.enumerated() {
            let parameters = index == steps.count - 1 ? attack.parameters.map { $0.map(pair.expand) } : []
            let outcome = attacker.run(step, parameters: parameters, via: wire, copyData: attack.copyData.map(pair.expand))
            outcomes.append(outcome)
            if outcome.error != nil { break }
        }
        let decisive = outcomes.first { $0.error != nil } ?? outcomes[outcomes.count - 1]
        // 1. Nothing of another tenant, anywhere.
        for outcome in outcomes {
            for text in outcome.texts {
                let traces = pair.attacker.foreignTraces(in: text)
                if !traces.isEmpty { fail("LEAK \(context): \(traces) in \(text.prefix(300))") }
            }
        }
        // 2. The outcome the proxy owes.
        let expectation = attack.expectation(for: wire)
        if let problem = expectation.problem(with: decisive) { fail("\(context): \(problem)") }
        if decisive.isSuccess, let wanted = attack.firstValue.map(pair.expand), decisive.first != wanted {
            fail("\(context): returned \(decisive.first ?? "nil"), expected \(wanted)")
        }
        tally(attack.category, decisive)
        // 3. The attacker's session carries on.
        attacker.rollbackIfNeeded()
        followUp(&attacker, context: context)
        // 4. Nobody's data changed.
        checkData(context: context, attacker: pair.attacker)
    }

    private func followUp(_ attacker: inout TenantClient, context: String) {
        let login = attacker.login
        if attacker.isBroken {
            fail("\(context): the attacker's session did not survive")
        } else {
            let count = attacker.run("SELECT count(*) FROM \(login.documentsTable)", via: .simple)
            if count.first != "20" { fail("\(context): follow-up count gave \(count.summary)") }
            let path = attacker.run("SHOW search_path", via: .extended)
            if path.first != login.searchPath { fail("\(context): search_path is now \(path.summary)") }
            let role = attacker.run("SELECT current_user", via: .simple)
            if role.first != login.serverRole { fail("\(context): current_user is now \(role.summary)") }
            if !attacker.isBroken { return }
        }
        if let fresh = try? TenantClient(proxy: proxy, login: login) { attacker = fresh }
    }

    private func checkData(context: String, attacker: TenantLogin) {
        do {
            let changed = try data.changedOwners()
            guard !changed.isEmpty else { return }
            let foreign = changed.subtracting([attacker.name])
            if !foreign.isEmpty { fail("LEAK \(context): data of \(foreign.sorted()) changed") }
            try data.removeAttackRows()
            let remaining = try data.changedOwners()
            if !remaining.isEmpty { fail("\(context): data of \(remaining.sorted()) stays changed after cleanup") }
        } catch {
            fail("\(context): checksum failed: \(error)")
        }
    }

    // MARK: Bookkeeping

    private func fail(_ message: String) {
        failures.append(message)
        if let pair = message.split(separator: " ").first(where: { $0.contains("->") }) {
            failureCounts[String(pair), default: 0] += 1
        }
    }

    private func tally(_ category: AttackCategory, _ outcome: StepResult) {
        var tally = tallies[category, default: Tally()]
        tally.executions += 1
        if outcome.isSuccess {
            tally.ran += 1
        } else if AttackExpectation.refusalStates.contains(outcome.error?.sqlState ?? "") {
            tally.refused += 1
        } else {
            tally.failedOtherwise += 1
        }
        tallies[category] = tally
    }

    private func report(label: String) {
        var total = Tally()
        for category in AttackCategory.allCases {
            guard let tally = tallies[category] else { continue }
            print("TenantAttack [\(label)/\(poolMode)] \(category.rawValue): \(tally.attacks) attacks, \(tally.executions) executions "
                  + "(refused \(tally.refused), ran confined \(tally.ran), failed otherwise \(tally.failedOtherwise))")
            total.attacks += tally.attacks
            total.executions += tally.executions
            total.refused += tally.refused
            total.ran += tally.ran
            total.failedOtherwise += tally.failedOtherwise
        }
        print("TenantAttack [\(label)/\(poolMode)] total: \(total.attacks) attacks, \(total.executions) executions "
              + "(refused \(total.refused), ran confined \(total.ran), failed otherwise \(total.failedOtherwise)), "
              + "\(failures.count) failures, \(failures.filter { $0.hasPrefix("LEAK") }.count) leaks")
    }
}

// The entry point of tenant isolation: check (and in shared mode rewrite, then verify) a tenant's SQL.

/// Checks every statement a tenant sends, from a simple-query message or an extended-protocol Parse (the same
/// text rules apply; `$n` parameters are ordinary expressions).
///
/// Steps: parse with PostgreSQL's grammar (refuse on failure) → walk every node under the tenant's policy
/// (refuse anything not allowed) → in shared mode, splice the confining edits → re-parse the result, require
/// the same statement kinds, and walk it again requiring that no edit is still needed → forward. Any failure
/// anywhere is a refusal: nothing unverified reaches the server.
public enum TenantGate {
    public static func check(_ sql: String, policy: TenantPolicy) -> Result<GateVerdict, GateRefusal> {
        switch SQLParser.parse(sql) {
        case .failure(let error):
            return .failure(GateRefusal(sqlState: GateRefusal.syntaxError,
                                        message: "bulkhead: the statement does not parse: \(error.message)",
                                        position: error.position))
        case .success(let parsed):
            return check(parsed, policy: policy)
        }
    }

    public static func check(_ parsed: ParsedSQL, policy: TenantPolicy) -> Result<GateVerdict, GateRefusal> {
        confine(parsed, policy: policy).map(\.verdict)
    }

    /// A verdict with the splices that produced it (in the order they apply), for `GateCache`'s shapes.
    struct Confinement {
        let verdict: GateVerdict
        let edits: [TextEdit]
    }

    static func confine(_ parsed: ParsedSQL, policy: TenantPolicy) -> Result<Confinement, GateRefusal> {
        let analyzer = TenantAnalyzer(parsed: parsed, policy: policy, pass: .rewrite)
        do {
            try analyzer.analyze()
        } catch {
            return .failure(error)
        }
        let count = parsed.statements.count
        guard !analyzer.edits.isEmpty else {
            return .success(Confinement(verdict: GateVerdict(sql: parsed.text, isRewritten: false, statementCount: count),
                                        edits: []))
        }
        let edits = TextEdit.ordered(analyzer.edits)
        guard let rewritten = TextEdit.apply(edits, to: parsed.bytes) else {
            return .failure(verificationFailure("overlapping edits"))
        }
        return verify(rewritten, kinds: parsed.statements.map(\.node.kind), policy: policy)
            .map { Confinement(verdict: $0, edits: edits) }
    }

    /// Parses a confined text again and walks it once more, requiring the statement kinds of the client's text
    /// and that no reference still needs confining.
    static func verify(_ rewritten: String, kinds: [String], policy: TenantPolicy) -> Result<GateVerdict, GateRefusal> {
        guard case .success(let reparsed) = SQLParser.parse(rewritten) else {
            return .failure(verificationFailure("the confined form does not parse; this spelling cannot be confined"))
        }
        guard reparsed.statements.map(\.node.kind) == kinds else {
            return .failure(verificationFailure("the confined form has different statements"))
        }
        let verifier = TenantAnalyzer(parsed: reparsed, policy: policy, pass: .verify)
        do {
            try verifier.analyze()
        } catch {
            // Positions would point into the rewritten text, which the client never saw.
            return .failure(GateRefusal(sqlState: error.sqlState, message: error.message, position: nil))
        }
        return .success(GateVerdict(sql: rewritten, isRewritten: true, statementCount: kinds.count))
    }

    private static func verificationFailure(_ reason: String) -> GateRefusal {
        GateRefusal(sqlState: GateRefusal.insufficientPrivilege,
                    message: "bulkhead: the statement could not be confined to the tenant (\(reason))", position: nil)
    }
}

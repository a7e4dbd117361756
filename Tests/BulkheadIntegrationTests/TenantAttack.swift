// One hostile tenant statement (or short sequence) as data: what it sends and what the proxy must make of it.

/// The attack categories of issue 4 §7.
enum AttackCategory: String, CaseIterable, Sendable {
    case identifiers = "identifier spellings"
    case searchPath = "search_path and role escapes"
    case setConfig = "set_config anywhere"
    case multiStatement = "multi-statement messages"
    case quoting = "dollar-quoting/comment/escape-string confusion"
    case crossWrites = "writes that cross tenants"
    case onConflict = "ON CONFLICT"
    case returning = "RETURNING"
    case modifyingCTE = "data-modifying CTEs"
    case functions = "functions and views that read across tenants"
    case copy = "COPY"
    case catalog = "catalog and statistics views"
    case prepared = "prepared statements"
    case cursors = "cursors"
    case tempTables = "temp tables"
    case listen = "LISTEN/NOTIFY"
    case functionCall = "FunctionCall messages"
    case startup = "startup parameters"
    case cancel = "cancel keys"
}

/// What the proxy must do with an attack. Whatever the outcome, nothing of another tenant may come back and
/// nobody's data may change; these say in addition whether it must be refused or may run (confined).
enum AttackExpectation: Sendable, Equatable {
    /// Refused: SQLSTATE 42501 or 0A000, or 42601 for text that does not parse.
    case refused
    /// Runs: the tenant may do this, confined to its own rows.
    case runs
    /// Either refused or run confined (spellings the rewriter may or may not manage to confine).
    case refusedOrRuns
    /// Fails with one of these SQLSTATEs (e.g. a NOT NULL violation when a foreign tenant id was nulled out),
    /// or is refused.
    case fails(Set<String>)
    /// Fails with one of these SQLSTATEs, is refused, or runs.
    case failsOrRuns(Set<String>)

    static let refusalStates: Set<String> = ["42501", "0A000", "42601"]

    /// Nil when `step` meets the expectation, else why not.
    func problem(with step: StepResult) -> String? {
        let state = step.error?.sqlState ?? "none"
        let refused = step.error != nil && Self.refusalStates.contains(state)
        switch self {
        case .refused:
            return refused ? nil : "expected a refusal (42501/0A000/42601), got \(step.summary)"
        case .runs:
            return step.isSuccess ? nil : "expected it to run confined, got \(step.summary)"
        case .refusedOrRuns:
            return refused || step.isSuccess ? nil : "expected a refusal or a confined run, got \(step.summary)"
        case .fails(let states):
            return step.error != nil && (refused || states.contains(state)) ? nil
                : "expected a refusal or one of \(states.sorted()), got \(step.summary)"
        case .failsOrRuns(let states):
            return step.isSuccess || refused || states.contains(state) ? nil
                : "expected a refusal, a confined run or one of \(states.sorted()), got \(step.summary)"
        }
    }
}

/// An attack template: statements with `{placeholders}` (see `AttackPair.expand`), run in order on one session.
/// The expectation applies to the first step that fails, or else to the last step.
struct TenantAttack: Sendable {
    let category: AttackCategory
    let steps: [String]
    var parameters: [String?] = []
    var copyData: String?
    var expect: AttackExpectation
    /// The expectation through the extended protocol when it differs (a Parse holds one statement only).
    var extendedExpect: AttackExpectation?
    /// When it runs, the first cell of the last result must equal this (expanded).
    var firstValue: String?
    /// It runs and pins the server connection to the client under transaction pooling (session state the
    /// proxy cannot track), so the runner ends that client afterwards to let the victim have the connection.
    var pinsConnection = false

    init(_ category: AttackCategory, _ sql: String, _ expect: AttackExpectation, parameters: [String?] = [],
         copyData: String? = nil, extended: AttackExpectation? = nil, firstValue: String? = nil) {
        self.category = category
        self.steps = [sql]
        self.parameters = parameters
        self.copyData = copyData
        self.expect = expect
        self.extendedExpect = extended
        self.firstValue = firstValue
    }

    init(_ category: AttackCategory, steps: [String], _ expect: AttackExpectation, firstValue: String? = nil) {
        self.category = category
        self.steps = steps
        self.expect = expect
        self.firstValue = firstValue
    }

    func expectation(for wire: WireProtocol) -> AttackExpectation {
        wire == .extended ? extendedExpect ?? expect : expect
    }

    var label: String { steps.joined(separator: " ⏎ ") }
}

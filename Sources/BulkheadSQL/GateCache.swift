// Caches gate verdicts per (policy, query text) and per (policy, text shape), and classifications per query
// text, so a repeated or prepared statement is analysed once, and so is a statement whose literals change.

import Foundation

/// A thread-safe LRU cache in front of `TenantGate` and `StatementClassifier`.
///
/// Keys compare query texts byte for byte (not by Swift's Unicode canonical equivalence, under which two
/// different byte sequences can be "equal"). Refusals are cached too: the gate is deterministic for a given
/// policy and text. A hit neither parses nor allocates beyond the returned value; one lock guards verdicts
/// and shapes, another the classifications.
///
/// A text that misses is looked up by its `StatementShape` next: a statement sent with new literals each time
/// (`WHERE aid = 1001`, then `= 1002`) is scanned, not parsed and analysed again. Such a text is kept by text
/// too when it comes a second time, so that texts that repeat are not scanned again while a stream of unique
/// texts does not churn the text map.
/// Only approvals are kept per shape, and only those whose analysis read no literal's value. An approval that
/// leaves the text unchanged then holds for the whole shape. A shared-mode rewrite is kept as its splices,
/// placed by token: a new text of the shape gets the same splices, and the result is parsed and verified
/// again, exactly as on the full path, before it is used; if that fails, the text takes the full path.
/// Refusals are kept by text only (their messages and positions come from the text).
///
/// The proxy must forward `GateVerdict.sql`, never the client's own bytes: that is the text that was checked.
public final class GateCache: @unchecked Sendable {
    private let classifier: StatementClassifier
    private let verdictLock = NSLock()
    private var verdicts: LRUStore<VerdictKey, Result<GateVerdict, GateRefusal>>
    private var shapes: LRUStore<ShapeKey, ShapeVerdict>
    /// Hashes of texts served by their shape once, direct-mapped: a match admits the text to `verdicts`.
    private var servedOnce = [Int](repeating: 0, count: 4_096)
    private let classificationLock = NSLock()
    private var classifications: LRUStore<TextKey, Result<SQLClassification, SQLError>>

    /// - Parameters:
    ///   - capacity: entries kept in each of the three maps.
    ///   - classifier: the classifier (with `read_only_functions`) used for routing entries.
    public init(capacity: Int = 10_000, classifier: StatementClassifier = StatementClassifier()) {
        self.classifier = classifier
        self.verdicts = LRUStore(capacity: capacity)
        self.shapes = LRUStore(capacity: capacity)
        self.classifications = LRUStore(capacity: capacity)
    }

    /// The gate's verdict for a tenant's text (simple query or Parse), from the cache when possible.
    public func check(_ sql: String, policy: TenantPolicy) -> Result<GateVerdict, GateRefusal> {
        let key = VerdictKey(policyKey: policy.cacheKey, policyHash: policy.cacheKeyHash, content: TextKey(sql))
        if let cached = verdictLock.withLock({ verdicts.value(for: key) }) { return cached }
        let scanned = StatementShape.scan(sql)
        let shape = scanned.map { ShapeKey(policyKey: key.policyKey, policyHash: key.policyHash, content: $0.shape) }
        if let shape, let scanned, let entry = verdictLock.withLock({ shapes.value(for: shape) }),
           let verdict = Self.serve(entry, sql: key.content.text, tokens: scanned.tokens, policy: policy) {
            let result: Result<GateVerdict, GateRefusal> = .success(verdict)
            let hash = key.hashValue
            verdictLock.withLock {
                let slot = hash & (servedOnce.count - 1)
                if servedOnce[slot] == hash {
                    verdicts.insert(result, for: key)
                } else {
                    servedOnce[slot] = hash
                }
            }
            return result
        }
        let result: Result<GateVerdict, GateRefusal>
        switch SQLParser.parse(sql, scanned: scanned?.tokens) {
        case .failure(let error):
            result = .failure(GateRefusal(sqlState: GateRefusal.syntaxError,
                                          message: "bulkhead: the statement does not parse: \(error.message)",
                                          position: error.position))
            storeClassification(.failure(error), for: key.content)
        case .success(let parsed):
            let confinement = TenantGate.confine(parsed, policy: policy)
            result = confinement.map(\.verdict)
            if let shape, case .success(let confined) = confinement, let entry = Self.shapeVerdict(confined, parsed) {
                verdictLock.withLock { shapes.insert(entry, for: shape) }
            }
            storeClassification(.success(classifier.classify(parsed)), for: key.content)
        }
        verdictLock.withLock { verdicts.insert(result, for: key) }
        return result
    }

    /// What an approval of a parsed text says of every text of its shape, if anything. Asked right after the
    /// check, before anything else reads the parsed text.
    static func shapeVerdict(_ confined: TenantGate.Confinement, _ parsed: ParsedSQL) -> ShapeVerdict? {
        guard !parsed.sourceReads.any, StatementShape.literalsAreConstants(parsed) else { return nil }
        guard confined.verdict.isRewritten else { return .unchanged(statementCount: confined.verdict.statementCount) }
        guard let edits = AnchoredEdit.anchor(confined.edits, in: parsed) else { return nil }
        return .rewritten(kinds: parsed.statements.map(\.node.kind), edits: edits)
    }

    /// The verdict for a text of a known shape, or nil when it must take the full path.
    static func serve(_ entry: ShapeVerdict, sql: String, tokens: [SQLToken], policy: TenantPolicy) -> GateVerdict? {
        switch entry {
        case .unchanged(let count):
            return GateVerdict(sql: sql, isRewritten: false, statementCount: count)
        case .rewritten(let kinds, let edits):
            let bytes = Array(sql.utf8)
            guard let placed = AnchoredEdit.place(edits, tokens: tokens, byteCount: bytes.count),
                  let rewritten = TextEdit.apply(placed, to: bytes),
                  case .success(let verdict) = TenantGate.verify(rewritten, kinds: kinds, policy: policy) else { return nil }
            return verdict
        }
    }

    /// The routing classification of a text, from the cache when possible.
    public func classify(_ sql: String) -> Result<SQLClassification, SQLError> {
        let key = TextKey(sql)
        if let cached = classificationLock.withLock({ classifications.value(for: key) }) { return cached }
        let result = classifier.classify(sql)
        storeClassification(result, for: key)
        return result
    }

    /// Number of cached verdicts and classifications.
    public var counts: (verdicts: Int, shapes: Int, classifications: Int) {
        let (verdictCount, shapeCount) = verdictLock.withLock { (verdicts.count, shapes.count) }
        return (verdictCount, shapeCount, classificationLock.withLock { classifications.count })
    }

    /// Drops everything (e.g. after a configuration reload changed policies).
    public func removeAll() {
        verdictLock.withLock {
            verdicts.removeAll()
            shapes.removeAll()
            servedOnce = [Int](repeating: 0, count: servedOnce.count)
        }
        classificationLock.withLock { classifications.removeAll() }
    }

    private func storeClassification(_ result: Result<SQLClassification, SQLError>, for key: TextKey) {
        classificationLock.withLock { classifications.insert(result, for: key) }
    }
}

/// A query text compared and hashed by its UTF-8 bytes.
struct TextKey: Hashable, Sendable {
    let text: String

    init(_ text: String) {
        var copy = text
        copy.makeContiguousUTF8()
        self.text = copy
    }

    static func == (left: TextKey, right: TextKey) -> Bool {
        left.text.utf8.count == right.text.utf8.count && left.text.utf8.elementsEqual(right.text.utf8)
    }

    func hash(into hasher: inout Hasher) {
        let hashed: Void? = text.utf8.withContiguousStorageIfAvailable { buffer in
            hasher.combine(bytes: UnsafeRawBufferPointer(buffer))
        }
        if hashed == nil {
            for byte in text.utf8 { hasher.combine(byte) }
        }
    }
}

/// A text, or a text's shape, under one policy.
struct PolicyKeyed<Content: Hashable & Sendable>: Hashable, Sendable {
    let policyKey: String
    let policyHash: Int
    let content: Content

    static func == (left: PolicyKeyed, right: PolicyKeyed) -> Bool {
        left.policyHash == right.policyHash && left.content == right.content && left.policyKey == right.policyKey
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(policyHash)
        hasher.combine(content)
    }
}

typealias VerdictKey = PolicyKeyed<TextKey>
typealias ShapeKey = PolicyKeyed<StatementShape>

/// What the gate's approval of one text says of every text of its shape.
enum ShapeVerdict: Sendable {
    /// Approved as written.
    case unchanged(statementCount: Int)
    /// Approved once these splices confine it; the statement kinds are what its verification requires.
    case rewritten(kinds: [String], edits: [AnchoredEdit])
}

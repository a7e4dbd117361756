// Picks the node for one read: weighted random sampling of two, keeping the less loaded per unit of weight.

/// Spreads reads over candidates by weight and by connections in use.
///
/// It draws two distinct candidates with probability proportional to weight and keeps the one with fewer
/// connections in use per unit of weight, the first drawn on a tie. With equal loads the choice is therefore
/// exactly weighted, and a node that is slow (so holds its connections longer) gets fewer new reads.
/// The random source is injected, so picks are reproducible in tests.
public enum ReadBalancer {
    /// Weights are clamped to this, so sums cannot overflow whatever the configuration says.
    static let largestWeight = 1_000_000
    /// Connection counts are clamped likewise before they are multiplied by weights.
    static let largestLoad = 1_000_000

    /// The chosen candidate, or nil when there is none.
    public static func pick(
        from candidates: [ReadCandidate], using random: inout RoutingRandom
    ) -> ReadCandidate? {
        guard let only = candidates.first else { return nil }
        if candidates.count == 1 { return only }
        // Weight 0 means "last resort": such nodes count only when every candidate has it, and then equally.
        let hasWeighted = candidates.contains { $0.weight > 0 }
        func weight(_ candidate: ReadCandidate) -> Int {
            hasWeighted ? min(max(candidate.weight, 0), largestWeight) : 1
        }
        let total = candidates.reduce(0) { $0 + weight($1) }
        guard let first = draw(from: candidates, total: total, excluding: nil, weight: weight, using: &random) else {
            return nil
        }
        let rest = total - weight(first.candidate)
        guard rest > 0, let second = draw(
            from: candidates, total: rest, excluding: first.index, weight: weight, using: &random
        ) else { return first.candidate }
        // Compares inUse / weight without dividing.
        func load(_ candidate: ReadCandidate) -> Int { min(max(candidate.inUse, 0), largestLoad) }
        let firstLoad = load(first.candidate) * weight(second.candidate)
        let secondLoad = load(second.candidate) * weight(first.candidate)
        return secondLoad < firstLoad ? second.candidate : first.candidate
    }

    private static func draw(
        from candidates: [ReadCandidate], total: Int, excluding skipped: Int?, weight: (ReadCandidate) -> Int,
        using random: inout RoutingRandom
    ) -> (index: Int, candidate: ReadCandidate)? {
        guard total > 0 else { return nil }
        var remaining = Int.random(in: 0..<total, using: &random)
        for index in candidates.indices where index != skipped {
            let candidate = candidates[index]
            let share = weight(candidate)
            if remaining < share { return (index, candidate) }
            remaining -= share
        }
        return nil
    }
}

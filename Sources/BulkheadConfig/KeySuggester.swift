// Suggests the intended name for a misspelt key or reference.

/// Finds the closest known name within a small edit distance.
enum KeySuggester {
    /// Typos beyond two edits are more likely different words than misspellings.
    static let maxDistance = 2

    /// The closest candidate within `maxDistance` edits, preferring the alphabetically first on ties.
    static func suggestion(for name: String, among candidates: some Sequence<String>) -> String? {
        var best: (name: String, distance: Int)?
        for candidate in candidates where candidate != name {
            let distance = editDistance(name, candidate, limit: maxDistance)
            guard distance <= maxDistance else { continue }
            if let current = best, current.distance < distance || (current.distance == distance && current.name < candidate) {
                continue
            }
            best = (candidate, distance)
        }
        return best?.name
    }

    /// " (did you mean "x"?)", or nothing, ready to append to a message.
    static func hint(for name: String, among candidates: some Sequence<String>) -> String {
        suggestion(for: name, among: candidates).map { "; did you mean \"\($0)\"?" } ?? ""
    }

    /// Levenshtein distance; returns `limit + 1` early once every path exceeds the limit.
    static func editDistance(_ lhs: String, _ rhs: String, limit: Int = .max) -> Int {
        let left = Array(lhs)
        let right = Array(rhs)
        if abs(left.count - right.count) > limit { return limit == .max ? limit : limit + 1 }
        var previous = Array(0...right.count)
        var current = [Int](repeating: 0, count: right.count + 1)
        for (i, leftCharacter) in left.enumerated() {
            current[0] = i + 1
            var rowMinimum = current[0]
            for (j, rightCharacter) in right.enumerated() {
                let substitution = previous[j] + (leftCharacter == rightCharacter ? 0 : 1)
                current[j + 1] = min(previous[j + 1] + 1, current[j] + 1, substitution)
                rowMinimum = min(rowMinimum, current[j + 1])
            }
            if rowMinimum > limit { return limit + 1 }
            swap(&previous, &current)
        }
        return previous[right.count]
    }
}

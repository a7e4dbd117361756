// The allowed range of a duration key and how to phrase it.

/// Bounds for a duration given in seconds.
struct SecondsRange: Sendable {
    /// A year bounds every duration, so absurd values are caught and `Duration` arithmetic cannot overflow.
    static let maximum: Double = 31_536_000

    let lowerBound: Double
    let lowerIsInclusive: Bool
    let upperBound: Double

    /// Zero allowed (it usually means "off" or "forever"); up to a year.
    static let zeroOrMore = SecondsRange(lowerBound: 0, lowerIsInclusive: true, upperBound: maximum)
    /// Strictly positive; up to a year.
    static let positive = SecondsRange(lowerBound: 0, lowerIsInclusive: false, upperBound: maximum)

    static func between(_ lower: Double, _ upper: Double) -> SecondsRange {
        SecondsRange(lowerBound: lower, lowerIsInclusive: true, upperBound: upper)
    }

    func contains(_ seconds: Double) -> Bool {
        let aboveLower = lowerIsInclusive ? seconds >= lowerBound : seconds > lowerBound
        return aboveLower && seconds <= upperBound
    }

    var requirement: String {
        let upper = SecondsRange.format(upperBound)
        if lowerIsInclusive {
            return "must be between \(SecondsRange.format(lowerBound)) and \(upper) seconds"
        }
        return "must be more than \(SecondsRange.format(lowerBound)) and at most \(upper) seconds"
    }

    /// Prints whole numbers without a fraction, so messages echo what the user typed.
    static func format(_ seconds: Double) -> String {
        if seconds.rounded() == seconds, abs(seconds) < 1e15 {
            return String(Int(seconds))
        }
        return String(seconds)
    }
}

// Short human-readable durations for log lines and error messages, without Foundation.

/// Formats durations as seconds with millisecond precision when it matters (`10 s`, `0.25 s`).
enum DurationText {
    static func seconds(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        let whole = milliseconds / 1000
        var fraction = abs(milliseconds % 1000)
        guard fraction != 0 else { return "\(whole) s" }
        var digits = 3
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let padded = String(repeating: "0", count: digits - String(fraction).count) + String(fraction)
        let sign = milliseconds < 0 && whole == 0 ? "-" : ""
        return "\(sign)\(whole).\(padded) s"
    }
}

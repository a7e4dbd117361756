// Bounds and number syntax shared by SCRAM verifiers and SCRAM messages.

/// Limits that keep a hostile server or config from forcing unbounded work.
enum SCRAMLimits {
    /// Hi() costs one HMAC per iteration, so an absurd count would stall a connection for minutes.
    static let iterations: ClosedRange<Int> = 1...10_000_000

    /// Parses RFC 5802's `posit-number` (no sign, no leading zero) and accepts it only within `iterations`.
    static func parseIterations(_ text: some Collection<UInt8>) -> Int? {
        guard let first = text.first, first != UInt8(ascii: "0"),
              text.count <= String(iterations.upperBound).count,
              text.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            return nil
        }
        let value = text.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        return iterations.contains(value) ? value : nil
    }
}

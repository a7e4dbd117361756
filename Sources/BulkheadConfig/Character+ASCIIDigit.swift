// Strict ASCII digit test for parsing ports and iteration counts.

extension Character {
    /// Only 0-9: `isNumber` would also accept other scripts' digits, and a range test would accept "1" plus a combining mark.
    var isASCIIDigit: Bool {
        guard let value = asciiValue else { return false }
        return (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(value)
    }
}

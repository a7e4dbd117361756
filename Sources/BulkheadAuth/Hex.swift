// Lowercase hexadecimal, the form PostgreSQL uses for md5 hashes.

/// Hex helpers for md5 password hashes.
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func lowercase(_ bytes: some Sequence<UInt8>) -> String {
        var output: [UInt8] = []
        for byte in bytes {
            output.append(digits[Int(byte >> 4)])
            output.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: output, as: UTF8.self)
    }

    static func isLowercaseHex(_ text: some StringProtocol) -> Bool {
        text.utf8.allSatisfy { digits.contains($0) }
    }
}

// Strict standard Base64 (RFC 4648 with padding), the encoding SCRAM and PostgreSQL verifiers use.

/// Base64 encoding and strict decoding: decoding rejects whitespace, missing padding, stray characters
/// and non-zero trailing bits, so every accepted text has exactly one byte sequence and vice versa.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let padding = UInt8(ascii: "=")

    /// Maps an ASCII byte to its 6-bit value, or 0xFF when it is not in the alphabet.
    private static let decodeTable: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, character) in alphabet.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()

    /// Encodes bytes as padded Base64 text.
    public static func encode(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: encodeToBytes(bytes), as: UTF8.self)
    }

    /// Encodes bytes as padded Base64, returned as ASCII bytes for building wire messages.
    public static func encodeToBytes(_ bytes: some Collection<UInt8>) -> [UInt8] {
        let input = Array(bytes)
        var output: [UInt8] = []
        output.reserveCapacity((input.count + 2) / 3 * 4)
        var index = 0
        while index < input.count {
            let remaining = input.count - index
            let b0 = input[index]
            let b1 = remaining > 1 ? input[index + 1] : 0
            let b2 = remaining > 2 ? input[index + 2] : 0
            output.append(alphabet[Int(b0 >> 2)])
            output.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            output.append(remaining > 1 ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : padding)
            output.append(remaining > 2 ? alphabet[Int(b2 & 0x3F)] : padding)
            index += 3
        }
        return output
    }

    /// Decodes padded Base64 text; nil when it is not canonical Base64.
    public static func decode(_ text: String) -> [UInt8]? {
        decode(bytes: Array(text.utf8))
    }

    /// Decodes padded Base64 given as ASCII bytes; nil when it is not canonical Base64.
    public static func decode(bytes text: some Collection<UInt8>) -> [UInt8]? {
        let input = Array(text)
        guard input.count % 4 == 0 else {
            return nil
        }
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3)
        var index = 0
        while index < input.count {
            let isLastGroup = index + 4 == input.count
            let paddingCount = isLastGroup ? input[index...].reversed().prefix(while: { $0 == padding }).count : 0
            guard paddingCount <= 2 else {
                return nil
            }
            var values: [UInt8] = []
            for character in input[index..<(index + 4 - paddingCount)] {
                let value = decodeTable[Int(character)]
                guard value != 0xFF else {
                    return nil
                }
                values.append(value)
            }
            output.append(values[0] << 2 | values[1] >> 4)
            switch paddingCount {
            case 0:
                output.append((values[1] & 0x0F) << 4 | values[2] >> 2)
                output.append((values[2] & 0x03) << 6 | values[3])
            case 1:
                guard values[2] & 0x03 == 0 else {
                    return nil
                }
                output.append((values[1] & 0x0F) << 4 | values[2] >> 2)
            default:
                guard values[1] & 0x0F == 0 else {
                    return nil
                }
            }
            index += 4
        }
        return output
    }
}

// Character classes of the TOML grammar shared by the path printer and the line scanner.

/// TOML's lexical character classes.
enum TOMLCharacters {
    static func isBareKey(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "A"..."Z", "a"..."z", "0"..."9", "_", "-": return true
        default: return false
        }
    }

    static func isBareKey(byte: UInt8) -> Bool {
        isBareKey(Unicode.Scalar(byte))
    }
}

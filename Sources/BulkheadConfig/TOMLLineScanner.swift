// Scans TOML text for the line on which each key, table header and array element starts.

/// A structural TOML scanner that only records where things are.
///
/// TOMLKit does not expose source positions, so this walks the text with just enough of the grammar
/// (headers, dotted and quoted keys, strings, arrays, inline tables, comments) to attribute lines.
/// It never fails: on text it does not understand it skips ahead, so the worst outcome is a missing line.
struct TOMLLineScanner {
    /// Deeper nesting than this is skipped rather than recursed into, so hostile input cannot exhaust the stack.
    private static let maxDepth = 64

    private let bytes: [UInt8]
    private var position = 0
    private var line = 1
    private var lines: [ConfigPath: Int] = [:]
    /// How many `[[name]]` headers have been seen per resolved path, to know which element later headers extend.
    private var arrayTableCounts: [ConfigPath: Int] = [:]
    private var currentTable = ConfigPath.root

    init(text: String) {
        self.bytes = Array(text.utf8)
    }

    /// Returns the first line at which each path appears.
    mutating func scan() -> [ConfigPath: Int] {
        while true {
            skipTrivia(acrossLines: true)
            guard let byte = peek() else { break }
            if byte == UInt8(ascii: "[") {
                scanHeader()
            } else {
                let start = position
                scanKeyValue(in: currentTable, depth: 0)
                if position == start { advance() }
                skipRestOfLine()
            }
        }
        return lines
    }

    // MARK: Structure

    private mutating func scanHeader() {
        let headerLine = line
        advance()
        let isArrayTable = peek() == UInt8(ascii: "[")
        if isArrayTable { advance() }
        let keys = scanKey()
        skipRestOfLine()
        guard !keys.isEmpty else { return }

        var resolved = ConfigPath.root
        for (offset, key) in keys.enumerated() {
            resolved = resolved.child(key)
            if isArrayTable && offset == keys.count - 1 {
                let count = arrayTableCounts[resolved, default: 0]
                arrayTableCounts[resolved] = count + 1
                record(resolved, headerLine)
                resolved = resolved.element(count)
            } else if let count = arrayTableCounts[resolved], count > 0 {
                // A header under an array of tables extends its latest element, as TOML specifies.
                record(resolved, headerLine)
                resolved = resolved.element(count - 1)
            }
            record(resolved, headerLine)
        }
        currentTable = resolved
    }

    private mutating func scanKeyValue(in table: ConfigPath, depth: Int) {
        let keyLine = line
        let keys = scanKey()
        guard !keys.isEmpty else { return }
        var path = table
        for key in keys {
            path = path.child(key)
            record(path, keyLine)
        }
        skipTrivia(acrossLines: false)
        guard peek() == UInt8(ascii: "=") else { return }
        advance()
        skipTrivia(acrossLines: false)
        scanValue(at: path, depth: depth)
    }

    private mutating func scanValue(at path: ConfigPath, depth: Int) {
        guard let byte = peek() else { return }
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "'"):
            skipString()
        case UInt8(ascii: "[") where depth < Self.maxDepth:
            scanArray(at: path, depth: depth + 1)
        case UInt8(ascii: "{") where depth < Self.maxDepth:
            scanInlineTable(at: path, depth: depth + 1)
        default:
            skipScalar()
        }
    }

    private mutating func scanArray(at path: ConfigPath, depth: Int) {
        advance()
        var index = 0
        while true {
            skipTrivia(acrossLines: true)
            guard let byte = peek() else { return }
            if byte == UInt8(ascii: "]") {
                advance()
                return
            }
            let element = path.element(index)
            record(element, line)
            scanValue(at: element, depth: depth)
            skipTrivia(acrossLines: true)
            switch peek() {
            case UInt8(ascii: ","):
                advance()
                index += 1
            case UInt8(ascii: "]"):
                advance()
                return
            case nil:
                return
            default:
                // Malformed element: step over one byte so the loop always makes progress.
                advance()
            }
        }
    }

    private mutating func scanInlineTable(at path: ConfigPath, depth: Int) {
        advance()
        while true {
            // TOML 1.0 keeps inline tables on one line; crossing lines anyway keeps TOML 1.1 files locatable.
            skipTrivia(acrossLines: true)
            guard let byte = peek() else { return }
            if byte == UInt8(ascii: "}") {
                advance()
                return
            }
            if byte == UInt8(ascii: ",") {
                advance()
                continue
            }
            let start = position
            scanKeyValue(in: path, depth: depth)
            if position == start { advance() }
        }
    }

    /// Reads a possibly dotted key; returns no parts when the text here is not a key.
    private mutating func scanKey() -> [String] {
        var parts: [String] = []
        while true {
            skipTrivia(acrossLines: false)
            guard let byte = peek() else { break }
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                parts.append(readQuotedKey(quote: byte))
            } else if TOMLCharacters.isBareKey(byte: byte) {
                let start = position
                while let next = peek(), TOMLCharacters.isBareKey(byte: next) { advance() }
                parts.append(String(decoding: bytes[start..<position], as: UTF8.self))
            } else {
                break
            }
            skipTrivia(acrossLines: false)
            guard peek() == UInt8(ascii: ".") else { break }
            advance()
        }
        return parts
    }

    // MARK: Lexing

    private mutating func readQuotedKey(quote: UInt8) -> String {
        advance()
        var decoded: [UInt8] = []
        while let byte = peek(), byte != quote, byte != UInt8(ascii: "\n") {
            advance()
            if quote == UInt8(ascii: "\""), byte == UInt8(ascii: "\\") {
                appendEscape(to: &decoded)
            } else {
                decoded.append(byte)
            }
        }
        if peek() == quote { advance() }
        return String(decoding: decoded, as: UTF8.self)
    }

    /// Decodes the escape after a backslash so quoted keys match the keys TOMLKit reports.
    private mutating func appendEscape(to decoded: inout [UInt8]) {
        guard let byte = peek() else { return }
        advance()
        switch byte {
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "e"): decoded.append(0x1B)
        case UInt8(ascii: "u"): appendUnicodeEscape(digits: 4, to: &decoded)
        case UInt8(ascii: "U"): appendUnicodeEscape(digits: 8, to: &decoded)
        case UInt8(ascii: "x"): appendUnicodeEscape(digits: 2, to: &decoded)
        default: decoded.append(byte)
        }
    }

    private mutating func appendUnicodeEscape(digits: Int, to decoded: inout [UInt8]) {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let byte = peek(), let digit = Self.hexValue(byte) else { break }
            value = value &* 16 &+ UInt32(digit)
            advance()
        }
        if let scalar = Unicode.Scalar(value) {
            decoded.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    /// Skips a basic, literal or multi-line string value, counting the lines it spans.
    private mutating func skipString() {
        guard let quote = peek() else { return }
        let isBasic = quote == UInt8(ascii: "\"")
        if peek(offset: 1) == quote && peek(offset: 2) == quote {
            advance(by: 3)
            while let byte = peek() {
                if isBasic && byte == UInt8(ascii: "\\") {
                    advance(by: 2)
                } else if byte == quote && peek(offset: 1) == quote && peek(offset: 2) == quote {
                    advance(by: 3)
                    // Up to two more quotes belong to the content, ending it with quote characters.
                    var extra = 0
                    while extra < 2, peek() == quote {
                        advance()
                        extra += 1
                    }
                    return
                } else {
                    advance()
                }
            }
            return
        }
        advance()
        while let byte = peek(), byte != UInt8(ascii: "\n") {
            if isBasic && byte == UInt8(ascii: "\\") {
                advance(by: 2)
                continue
            }
            advance()
            if byte == quote { return }
        }
    }

    /// Skips numbers, booleans and dates; a date-time may contain a space, so only delimiters stop it.
    private mutating func skipScalar() {
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: ","), UInt8(ascii: "]"), UInt8(ascii: "}"), UInt8(ascii: "#"),
                 UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                return
            default:
                advance()
            }
        }
    }

    private mutating func skipTrivia(acrossLines: Bool) {
        while let byte = peek() {
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                advance()
            case UInt8(ascii: "\n") where acrossLines:
                advance()
            case UInt8(ascii: "#"):
                while let next = peek(), next != UInt8(ascii: "\n") { advance() }
            default:
                return
            }
        }
    }

    private mutating func skipRestOfLine() {
        while let byte = peek() {
            advance()
            if byte == UInt8(ascii: "\n") { return }
        }
    }

    // MARK: Cursor

    private func peek(offset: Int = 0) -> UInt8? {
        let index = position + offset
        return index < bytes.count ? bytes[index] : nil
    }

    /// The only place the cursor moves, so line counting cannot be missed.
    private mutating func advance(by count: Int = 1) {
        for _ in 0..<count {
            guard position < bytes.count else { return }
            if bytes[position] == UInt8(ascii: "\n") { line += 1 }
            position += 1
        }
    }

    private mutating func record(_ path: ConfigPath, _ line: Int) {
        if lines[path] == nil { lines[path] = line }
    }
}

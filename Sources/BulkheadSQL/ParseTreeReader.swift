// Reads libpg_query's JSON parse tree straight into SQLNode values, in one pass and without Foundation.

/// Reads one JSON parse tree from UTF-8 bytes. Any malformed input throws; nothing is trusted to be well-formed.
///
/// A JSON object becomes a node either because it is tagged with its kind (`{"SelectStmt": {...}}`) or because
/// `NodeFieldTypes` knows the declared type of the field holding it; an empty object is an empty node slot;
/// anything else becomes `SQLValue.untyped`, which the gate refuses.
struct ParseTreeReader {
    enum Failure: Error, Equatable {
        case unexpectedEnd
        case unexpectedByte(offset: Int)
        case tooDeep
    }

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0
    private var depth = 0
    /// PostgreSQL's own grammar nests far less than this; the bound keeps hostile input from exhausting the stack.
    private static let maximumDepth = 2_000

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Reads the whole tree; the root is a `ParseResult` node.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) throws -> SQLValue {
        var reader = ParseTreeReader(bytes: bytes)
        let value = try reader.readValue(parentKind: "", field: "")
        reader.skipWhitespace()
        guard reader.index == bytes.count else { throw Failure.unexpectedByte(offset: reader.index) }
        return value
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    private mutating func peek() throws -> UInt8 {
        skipWhitespace()
        guard index < bytes.count else { throw Failure.unexpectedEnd }
        return bytes[index]
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard try peek() == byte else { throw Failure.unexpectedByte(offset: index) }
        index += 1
    }

    private mutating func readValue(parentKind: String, field: String) throws -> SQLValue {
        switch try peek() {
        case UInt8(ascii: "{"): return try readObject(parentKind: parentKind, field: field)
        case UInt8(ascii: "["): return try readArray(parentKind: parentKind, field: field)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try readLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try readLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try readLiteral("null"); return .untyped
        default: return try readNumber()
        }
    }

    private mutating func enter() throws {
        depth += 1
        guard depth <= Self.maximumDepth else { throw Failure.tooDeep }
    }

    private mutating func readObject(parentKind: String, field: String) throws -> SQLValue {
        try enter()
        defer { depth -= 1 }
        try expect(UInt8(ascii: "{"))
        let declared = parentKind.isEmpty ? "ParseResult" : NodeFieldTypes.table[parentKind]?[field]
        if try peek() == UInt8(ascii: "}") {
            index += 1
            return declared.map { .node(SQLNode(kind: $0, fieldList: [])) } ?? .null
        }
        let firstKey = try readKey()
        if Self.isKindName(firstKey), try peek() == UInt8(ascii: "{") {
            // A tagged node: {"Kind": {fields}} with exactly one key.
            let fields = try readFields(kind: firstKey)
            guard try peek() == UInt8(ascii: "}") else {
                try skipRemainingMembers()
                return .untyped
            }
            index += 1
            return .node(SQLNode(kind: firstKey, fieldList: fields))
        }
        guard let kind = declared else {
            _ = try readValue(parentKind: "?", field: "?")
            try skipRemainingMembers()
            return .untyped
        }
        var fields: [(name: String, value: SQLValue)] = [(firstKey, try readValue(parentKind: kind, field: firstKey))]
        while true {
            let next = try peek()
            index += 1
            if next == UInt8(ascii: "}") { return .node(SQLNode(kind: kind, fieldList: fields)) }
            guard next == UInt8(ascii: ",") else { throw Failure.unexpectedByte(offset: index - 1) }
            let key = try readKey()
            fields.append((key, try readValue(parentKind: kind, field: key)))
        }
    }

    /// Reads `{ "name": value, ... }` as the fields of a node of `kind`.
    private mutating func readFields(kind: String) throws -> [(name: String, value: SQLValue)] {
        try enter()
        defer { depth -= 1 }
        try expect(UInt8(ascii: "{"))
        var fields: [(name: String, value: SQLValue)] = []
        if try peek() == UInt8(ascii: "}") {
            index += 1
            return fields
        }
        while true {
            let key = try readKey()
            fields.append((key, try readValue(parentKind: kind, field: key)))
            let next = try peek()
            index += 1
            if next == UInt8(ascii: "}") { return fields }
            guard next == UInt8(ascii: ",") else { throw Failure.unexpectedByte(offset: index - 1) }
        }
    }

    /// After an unexpected first member: reads and drops the rest of the object, up to its `}`.
    private mutating func skipRemainingMembers() throws {
        while true {
            let next = try peek()
            index += 1
            if next == UInt8(ascii: "}") { return }
            guard next == UInt8(ascii: ",") else { throw Failure.unexpectedByte(offset: index - 1) }
            _ = try readKey()
            _ = try readValue(parentKind: "?", field: "?")
        }
    }

    private mutating func readKey() throws -> String {
        guard try peek() == UInt8(ascii: "\"") else { throw Failure.unexpectedByte(offset: index) }
        let key = try readString()
        try expect(UInt8(ascii: ":"))
        return key
    }

    private mutating func readArray(parentKind: String, field: String) throws -> SQLValue {
        try enter()
        defer { depth -= 1 }
        try expect(UInt8(ascii: "["))
        var result: [SQLValue] = []
        if try peek() == UInt8(ascii: "]") {
            index += 1
            return .list(result)
        }
        while true {
            result.append(try readValue(parentKind: parentKind, field: field))
            let next = try peek()
            index += 1
            if next == UInt8(ascii: "]") { return .list(result) }
            guard next == UInt8(ascii: ",") else { throw Failure.unexpectedByte(offset: index - 1) }
        }
    }

    /// Node kinds start with an upper-case letter; libpg_query's field names never do.
    private static func isKindName(_ key: String) -> Bool {
        guard let first = key.utf8.first else { return false }
        return first >= UInt8(ascii: "A") && first <= UInt8(ascii: "Z")
    }

    private mutating func readLiteral(_ word: StaticString) throws {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw Failure.unexpectedEnd }
        let start = word.utf8Start
        for offset in 0..<count where bytes[index + offset] != start[offset] {
            throw Failure.unexpectedByte(offset: index + offset)
        }
        index += count
    }

    private mutating func readNumber() throws -> SQLValue {
        let start = index
        var isInteger = true
        while index < bytes.count {
            let byte = bytes[index]
            if (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-") {
                index += 1
            } else if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E")
                        || byte == UInt8(ascii: "+") {
                isInteger = false
                index += 1
            } else {
                break
            }
        }
        guard index > start else { throw Failure.unexpectedByte(offset: start) }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        if isInteger, let value = Int64(text) { return .integer(value) }
        guard let value = Double(text) else { throw Failure.unexpectedByte(offset: start) }
        return .double(value)
    }

    private mutating func readString() throws -> String {
        try expect(UInt8(ascii: "\""))
        let start = index
        // Fast path: most strings hold no escapes and can be decoded in one step.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            index += 1
        }
        var scalars: [UInt8] = Array(UnsafeBufferPointer(rebasing: bytes[start..<index]))
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == UInt8(ascii: "\"") { return String(decoding: scalars, as: UTF8.self) }
            guard byte == UInt8(ascii: "\\") else {
                scalars.append(byte)
                continue
            }
            guard index < bytes.count else { throw Failure.unexpectedEnd }
            let escape = bytes[index]
            index += 1
            switch escape {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scalars.append(escape)
            case UInt8(ascii: "b"): scalars.append(0x08)
            case UInt8(ascii: "f"): scalars.append(0x0C)
            case UInt8(ascii: "n"): scalars.append(0x0A)
            case UInt8(ascii: "r"): scalars.append(0x0D)
            case UInt8(ascii: "t"): scalars.append(0x09)
            case UInt8(ascii: "u"):
                var code = try readHex4()
                if (0xD800..<0xDC00).contains(code) {
                    // A surrogate pair encodes one scalar beyond the basic plane.
                    guard index + 6 <= bytes.count, bytes[index] == UInt8(ascii: "\\"),
                          bytes[index + 1] == UInt8(ascii: "u") else { throw Failure.unexpectedByte(offset: index) }
                    index += 2
                    let low = try readHex4()
                    guard (0xDC00..<0xE000).contains(low) else { throw Failure.unexpectedByte(offset: index) }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw Failure.unexpectedByte(offset: index) }
                scalars.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw Failure.unexpectedByte(offset: index - 1)
            }
        }
        throw Failure.unexpectedEnd
    }

    private mutating func readHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw Failure.unexpectedEnd }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw Failure.unexpectedByte(offset: index)
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }
}

// Decodes pg_query_scan's protobuf ScanResult into tokens, bounds-checking every read.

/// A decoder for exactly the two protobuf messages the scanner returns (`ScanResult`, `ScanToken`).
/// Hand-written because the format is tiny, and so that a malformed buffer throws instead of crashing.
enum ScanResultDecoder {
    enum Failure: Error { case malformed }

    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) throws -> [SQLToken] {
        var reader = ProtobufReader(bytes: bytes, range: 0..<bytes.count)
        var tokens: [SQLToken] = []
        while let (field, wireType) = try reader.nextKey() {
            if field == 2 && wireType == 2 {
                let range = try reader.lengthDelimited()
                tokens.append(try decodeToken(ProtobufReader(bytes: bytes, range: range)))
            } else {
                try reader.skip(wireType: wireType)
            }
        }
        return tokens
    }

    private static func decodeToken(_ reader: ProtobufReader) throws -> SQLToken {
        var reader = reader
        var start = 0, end = 0, keywordKind = 0
        var kind: Int32 = 0
        while let (field, wireType) = try reader.nextKey() {
            guard wireType == 0 else {
                try reader.skip(wireType: wireType)
                continue
            }
            let value = try reader.varint()
            switch field {
            case 1: start = Int(truncatingIfNeeded: value)
            case 2: end = Int(truncatingIfNeeded: value)
            case 4: kind = Int32(truncatingIfNeeded: value)
            case 5: keywordKind = Int(truncatingIfNeeded: value)
            default: break
            }
        }
        guard start >= 0, end >= start else { throw Failure.malformed }
        return SQLToken(kind: kind, start: start, end: end, isKeyword: keywordKind != 0)
    }
}

/// Reads protobuf wire format within a byte range.
private struct ProtobufReader {
    let bytes: UnsafeBufferPointer<UInt8>
    var index: Int
    let limit: Int

    init(bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>) {
        self.bytes = bytes
        self.index = range.lowerBound
        self.limit = min(range.upperBound, bytes.count)
    }

    mutating func varint() throws -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard index < limit, shift < 64 else { throw ScanResultDecoder.Failure.malformed }
            let byte = bytes[index]
            index += 1
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func nextKey() throws -> (Int, Int)? {
        guard index < limit else { return nil }
        let key = try varint()
        return (Int(truncatingIfNeeded: key >> 3), Int(key & 7))
    }

    mutating func lengthDelimited() throws -> Range<Int> {
        let length = try varint()
        guard length <= UInt64(limit - index) else { throw ScanResultDecoder.Failure.malformed }
        let range = index..<(index + Int(length))
        index = range.upperBound
        return range
    }

    mutating func skip(wireType: Int) throws {
        switch wireType {
        case 0: _ = try varint()
        case 1: try advance(8)
        case 2: _ = try lengthDelimited()
        case 5: try advance(4)
        default: throw ScanResultDecoder.Failure.malformed
        }
    }

    private mutating func advance(_ count: Int) throws {
        guard limit - index >= count else { throw ScanResultDecoder.Failure.malformed }
        index += count
    }
}

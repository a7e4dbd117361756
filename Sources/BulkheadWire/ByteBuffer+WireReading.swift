// Bounds-checked readers for message bodies: every shortfall becomes a ProtocolViolation instead of a trap.
import NIOCore

extension ByteBuffer {
    /// Reads a big-endian integer, or names the missing field.
    mutating func readWireInteger<I: FixedWidthInteger>(
        as type: I.Type = I.self,
        _ field: StaticString
    ) throws(ProtocolViolation) -> I {
        guard let value = self.readInteger(as: I.self) else {
            throw ProtocolViolation("truncated \(field)")
        }
        return value
    }

    /// Reads a NUL-terminated string; a missing terminator is a violation.
    mutating func readWireCString(_ field: StaticString) throws(ProtocolViolation) -> String {
        guard let value = self.readNullTerminatedString() else {
            throw ProtocolViolation("missing NUL terminator in \(field)")
        }
        return value
    }

    /// Reads an Int16 element count and checks the body can hold that many elements of at least
    /// `minimumElementSize` bytes, so a hostile count can't make us reserve a huge array.
    ///
    /// PostgreSQL reads these counts as unsigned 16-bit (libpq sends up to 65535 parameters), so we do too:
    /// treating them as signed would reject messages the server accepts.
    mutating func readWireCount(minimumElementSize: Int, _ field: StaticString) throws(ProtocolViolation) -> Int {
        let count = Int(try self.readWireInteger(as: UInt16.self, field))
        guard count * minimumElementSize <= self.readableBytes else {
            throw ProtocolViolation("\(field) \(count) exceeds the message body")
        }
        return count
    }

    /// Reads an Int32-length-prefixed value where -1 means NULL; the value is a zero-copy slice.
    mutating func readWireNullableBytes(_ field: StaticString) throws(ProtocolViolation) -> ByteBuffer? {
        let length = try self.readWireInteger(as: Int32.self, field)
        if length == -1 {
            return nil
        }
        guard length >= 0 else {
            throw ProtocolViolation("negative length \(length) of \(field)")
        }
        guard let value = self.readSlice(length: Int(length)) else {
            throw ProtocolViolation("length \(length) of \(field) exceeds the message body")
        }
        return value
    }

    /// Reads `count` Int32-length-prefixed nullable values.
    mutating func readWireNullableValues(count: Int, _ field: StaticString) throws(ProtocolViolation) -> [ByteBuffer?] {
        var values: [ByteBuffer?] = []
        values.reserveCapacity(count)
        for _ in 0..<count {
            values.append(try self.readWireNullableBytes(field))
        }
        return values
    }

    /// Reads an Int16 count followed by that many fixed-width integers.
    mutating func readWireIntegerArray<I: FixedWidthInteger>(
        of type: I.Type,
        _ field: StaticString
    ) throws(ProtocolViolation) -> [I] {
        let count = try self.readWireCount(minimumElementSize: MemoryLayout<I>.size, field)
        var values: [I] = []
        values.reserveCapacity(count)
        for _ in 0..<count {
            // The count check above guarantees these reads succeed; the throw only keeps the code trap-free.
            values.append(try self.readWireInteger(as: I.self, field))
        }
        return values
    }

    /// Takes every remaining byte as a zero-copy slice.
    mutating func readWireRemainder() -> ByteBuffer {
        self.readSlice(length: self.readableBytes) ?? ByteBuffer()
    }

    /// Requires that the message has been consumed exactly, as PostgreSQL's pq_getmsgend does.
    func requireWireEnd(_ message: StaticString) throws(ProtocolViolation) {
        guard self.readableBytes == 0 else {
            throw ProtocolViolation("\(self.readableBytes) trailing bytes in \(message)")
        }
    }
}

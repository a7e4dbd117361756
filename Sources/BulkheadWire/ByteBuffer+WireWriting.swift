// Writers shared by every encoder: length words with back-patched lengths, C strings, counts and nullable values.
import NIOCore

extension ByteBuffer {
    /// Writes a typed frame, letting `body` fill in the contents.
    mutating func writeWireFrame(type: UInt8, _ body: (inout ByteBuffer) -> Void) {
        self.writeInteger(type)
        self.writeWireLengthPrefixed(body)
    }

    /// Writes an Int32 length (counting itself) then what `body` writes, back-patching the length so
    /// encoders never have to size their output twice. Startup packets are exactly this, without a type byte.
    mutating func writeWireLengthPrefixed(_ body: (inout ByteBuffer) -> Void) {
        let lengthIndex = self.writerIndex
        self.writeInteger(Int32(0))
        body(&self)
        self.setInteger(wireLength(bodyLength: self.writerIndex - lengthIndex - 4), at: lengthIndex)
    }

    /// Writes a string followed by its NUL terminator. The string must not itself contain NUL.
    mutating func writeWireCString(_ string: String) {
        self.writeString(string)
        self.writeInteger(UInt8(0))
    }

    /// Writes an Int16 element count, which the protocol carries as unsigned 16-bit.
    mutating func writeWireCount(_ count: Int) {
        guard let wire = UInt16(exactly: count) else {
            preconditionFailure("\(count) elements exceed the protocol's 16-bit count field")
        }
        self.writeInteger(wire)
    }

    /// Writes an Int32 length (-1 for NULL) followed by the value's bytes.
    mutating func writeWireNullableBytes(_ value: ByteBuffer?) {
        guard let value else {
            self.writeInteger(Int32(-1))
            return
        }
        guard let length = Int32(exactly: value.readableBytes) else {
            preconditionFailure("value of \(value.readableBytes) bytes exceeds the protocol's Int32 length field")
        }
        self.writeInteger(length)
        self.writeImmutableBuffer(value)
    }

    /// Writes an Int16 count followed by each fixed-width integer.
    mutating func writeWireIntegerArray<I: FixedWidthInteger>(_ values: [I]) {
        self.writeWireCount(values.count)
        for value in values {
            self.writeInteger(value)
        }
    }

    /// Writes an Int16 count followed by each nullable value.
    mutating func writeWireNullableValues(_ values: [ByteBuffer?]) {
        self.writeWireCount(values.count)
        for value in values {
            self.writeWireNullableBytes(value)
        }
    }
}

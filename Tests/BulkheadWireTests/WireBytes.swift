// Tiny builders for hand-written protocol bytes, so test cases read like the docs' field lists.
import NIOCore
import BulkheadWire

enum WireBytes {
    static func int32(_ value: Int32) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian, Array.init)
    }

    static func int16(_ value: Int16) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian, Array.init)
    }

    /// A string with its NUL terminator.
    static func cstr(_ string: String) -> [UInt8] {
        Array(string.utf8) + [0]
    }

    /// A string without a terminator.
    static func text(_ string: String) -> [UInt8] {
        Array(string.utf8)
    }

    static func ascii(_ scalar: Unicode.Scalar) -> UInt8 {
        UInt8(ascii: scalar)
    }

    /// A typed frame with a correct length field around `body`.
    static func frame(_ type: Unicode.Scalar, _ body: [UInt8]...) -> [UInt8] {
        let flat = body.flatMap { $0 }
        return [UInt8(ascii: type)] + int32(Int32(flat.count + 4)) + flat
    }

    /// An untyped startup packet with a correct length word around `body`.
    static func packet(_ body: [UInt8]...) -> [UInt8] {
        let flat = body.flatMap { $0 }
        return int32(Int32(flat.count + 4)) + flat
    }

    static func buffer(_ bytes: [UInt8]) -> ByteBuffer {
        ByteBuffer(bytes: bytes)
    }

    static func frameValue(_ bytes: [UInt8]) -> Frame {
        Frame(uncheckedRaw: ByteBuffer(bytes: bytes))
    }

    static func bytes(_ buffer: ByteBuffer) -> [UInt8] {
        Array(buffer.readableBytesView)
    }
}

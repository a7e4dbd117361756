// Mutation strategies for fuzzing: bit flips, boundary integers, truncation, insertion and splicing.

struct ByteMutator {
    var generator: SeededGenerator

    /// Integers that sit on the edges decoders most often get wrong.
    private static let interesting32: [Int32] = [-1, -2, 0, 1, 3, 4, 5, 0x7FFF, 0x8000, 0xFFFF, Int32.max, Int32.min]
    private static let interesting16: [Int16] = [-1, -2, 0, 1, 2, 0x7FFF, Int16.min]

    init(seed: UInt64) {
        self.generator = SeededGenerator(seed: seed)
    }

    mutating func int(below bound: Int) -> Int {
        Int.random(in: 0..<max(bound, 1), using: &self.generator)
    }

    /// Applies one to three random mutations; `donor` supplies bytes for splicing.
    mutating func mutate(_ input: [UInt8], donor: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0...self.int(below: 3) {
            bytes = self.mutateOnce(bytes, donor: donor)
        }
        return bytes
    }

    private mutating func mutateOnce(_ input: [UInt8], donor: [UInt8]) -> [UInt8] {
        var bytes = input
        switch self.int(below: 7) {
        case 0 where !bytes.isEmpty:
            bytes[self.int(below: bytes.count)] ^= UInt8(1) << UInt8(self.int(below: 8))
        case 1 where !bytes.isEmpty:
            bytes[self.int(below: bytes.count)] = [0, 0xFF, 0x7F, 0x80, UInt8.random(in: 0...255, using: &self.generator)][self.int(below: 5)]
        case 2:
            bytes = Array(bytes.prefix(self.int(below: bytes.count + 1)))
        case 3:
            let insert = (0..<(1 + self.int(below: 8))).map { _ in UInt8.random(in: 0...255, using: &self.generator) }
            bytes.insert(contentsOf: insert, at: self.int(below: bytes.count + 1))
        case 4 where bytes.count >= 4:
            let value = Self.interesting32[self.int(below: Self.interesting32.count)]
            let at = self.int(below: bytes.count - 3)
            bytes.replaceSubrange(at..<(at + 4), with: withUnsafeBytes(of: value.bigEndian, Array.init))
        case 5 where bytes.count >= 2:
            let value = Self.interesting16[self.int(below: Self.interesting16.count)]
            let at = self.int(below: bytes.count - 1)
            bytes.replaceSubrange(at..<(at + 2), with: withUnsafeBytes(of: value.bigEndian, Array.init))
        default:
            let cut = self.int(below: bytes.count + 1)
            bytes = Array(bytes.prefix(cut)) + Array(donor.suffix(self.int(below: donor.count + 1)))
        }
        return bytes
    }
}

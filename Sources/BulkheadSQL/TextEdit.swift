// Splices replacement text into a query at byte ranges taken from the parse tree and the scanner.

/// One splice: replace `range` (empty for an insertion) of the original bytes with `replacement`.
struct TextEdit: Sendable, Equatable {
    let range: Range<Int>
    let replacement: String

    /// Applies non-overlapping edits; nil if two edits overlap (the rewrite is then refused, never guessed).
    /// At the same offset, insertions go before a replacement that starts there.
    static func apply(_ edits: [TextEdit], to bytes: [UInt8]) -> String? {
        let ordered = edits.enumerated().sorted { left, right in
            if left.element.range.lowerBound != right.element.range.lowerBound {
                return left.element.range.lowerBound < right.element.range.lowerBound
            }
            if left.element.range.isEmpty != right.element.range.isEmpty { return left.element.range.isEmpty }
            return left.offset < right.offset
        }.map(\.element)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + ordered.reduce(0) { $0 + $1.replacement.utf8.count })
        var cursor = 0
        for edit in ordered {
            guard edit.range.lowerBound >= cursor, edit.range.upperBound <= bytes.count else { return nil }
            output.append(contentsOf: bytes[cursor..<edit.range.lowerBound])
            output.append(contentsOf: edit.replacement.utf8)
            cursor = edit.range.upperBound
        }
        output.append(contentsOf: bytes[cursor...])
        return String(decoding: output, as: UTF8.self)
    }
}

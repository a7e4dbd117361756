// Splices replacement text into a query at byte ranges taken from the parse tree and the scanner.

/// One splice: replace `range` (empty for an insertion) of the original bytes with `replacement`.
struct TextEdit: Sendable, Equatable {
    let range: Range<Int>
    let replacement: String

    /// The edits in the order they apply: by offset; at the same offset, insertions before a replacement that
    /// starts there, and otherwise in the order they were made.
    static func ordered(_ edits: [TextEdit]) -> [TextEdit] {
        edits.enumerated().sorted { left, right in
            if left.element.range.lowerBound != right.element.range.lowerBound {
                return left.element.range.lowerBound < right.element.range.lowerBound
            }
            if left.element.range.isEmpty != right.element.range.isEmpty { return left.element.range.isEmpty }
            return left.offset < right.offset
        }.map(\.element)
    }

    /// Applies non-overlapping edits given in `ordered` order; nil if two edits overlap or one lies outside
    /// the text (the rewrite is then refused, never guessed).
    static func apply(_ ordered: [TextEdit], to bytes: [UInt8]) -> String? {
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

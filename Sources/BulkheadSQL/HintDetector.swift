// Finds the `/* bulkhead:primary */` routing hint among a statement's comments.

/// Comments are not in the parse tree, so the hint is found among the scanner's comment tokens. Only a whole
/// comment whose content is exactly `bulkhead:primary` (any case, surrounding spaces allowed) counts, so the
/// words inside a string literal or a longer comment never trigger it.
enum HintDetector {
    static func hasPrimaryHint(in range: Range<Int>, of parsed: ParsedSQL) -> Bool {
        for token in parsed.tokens where token.isComment && token.start >= range.lowerBound && token.start < range.upperBound {
            var body = parsed.text(of: token.start..<token.end)
            if token.kind == SQLToken.blockComment {
                body = String(body.dropFirst(2).dropLast(2))
            } else {
                body = String(body.dropFirst(2))
            }
            if body.trimmingSpaces().lowercased() == "bulkhead:primary" { return true }
        }
        return false
    }
}

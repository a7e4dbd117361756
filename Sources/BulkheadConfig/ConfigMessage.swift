// The failure type of small value parsers, carrying the text to put after the key.

/// A validation message, used as the failure of `Result` so parsers stay pure and testable.
struct ConfigMessage: Error, Hashable, Sendable, ExpressibleByStringInterpolation {
    let text: String

    init(stringLiteral value: String) {
        self.text = value
    }

    init(stringInterpolation: DefaultStringInterpolation) {
        self.text = String(stringInterpolation: stringInterpolation)
    }

    init(_ text: String) {
        self.text = text
    }
}

// Answers "which line is this key on?" for error messages.

/// Maps key paths to 1-based line numbers in the configuration text.
struct SourceLocator: Sendable {
    private let lines: [ConfigPath: Int]

    init(text: String) {
        var scanner = TOMLLineScanner(text: text)
        self.lines = scanner.scan()
    }

    /// The line where `path` is written or, for a key that is absent, where its nearest enclosing table starts.
    func line(for path: ConfigPath) -> Int? {
        var candidate: ConfigPath? = path
        while let current = candidate {
            if let line = lines[current] { return line }
            candidate = current.parent
        }
        return nil
    }

    /// The line where `path` itself is written, without falling back to an enclosing table.
    func exactLine(for path: ConfigPath) -> Int? {
        lines[path]
    }
}

// Collects every problem found during one load, attaching file and line to each.

/// The error sink shared by all readers of one configuration file.
///
/// A class because every nested reader appends to the same list; it lives only for one `parse` call.
final class Diagnostics {
    let file: String
    let locator: SourceLocator
    private(set) var errors: [ConfigError] = []

    init(file: String, locator: SourceLocator) {
        self.file = file
        self.locator = locator
    }

    func report(_ path: ConfigPath, _ message: String) {
        errors.append(ConfigError(file: file, line: locator.line(for: path), key: path.description, message: message))
    }

    /// The errors ordered by line, keeping discovery order within a line; whole-file problems go last.
    var sortedErrors: [ConfigError] {
        errors.enumerated().sorted { lhs, rhs in
            switch (lhs.element.line, rhs.element.line) {
            case let (left?, right?) where left != right: return left < right
            case (nil, _?): return false
            case (_?, nil): return true
            default: return lhs.offset < rhs.offset
            }
        }.map(\.element)
    }
}

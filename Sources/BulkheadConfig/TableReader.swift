// Reads typed values from one TOML table, reporting wrong types and unknown keys.

/// A typed view of one table at a known path.
///
/// Each accessor records its key as known, so `rejectUnknownKeys()` can flag everything else with a suggestion.
/// Accessors return nil both when the key is absent and when it is invalid (the problem is already reported),
/// letting callers write `reader.integer("pool_size", in: 1...10000) ?? 20`.
final class TableReader {
    let path: ConfigPath
    let diagnostics: Diagnostics
    private let entries: [String: ConfigValue]
    private var knownKeys: Set<String> = []

    init(entries: [String: ConfigValue], path: ConfigPath, diagnostics: Diagnostics) {
        self.entries = entries
        self.path = path
        self.diagnostics = diagnostics
    }

    // MARK: Reporting

    func report(_ key: String, _ message: String) {
        diagnostics.report(path.child(key), message)
    }

    /// Reports every key no accessor asked for, suggesting the closest known key.
    func rejectUnknownKeys() {
        for key in entries.keys.sorted() where !knownKeys.contains(key) {
            report(key, "unknown key" + KeySuggester.hint(for: key, among: knownKeys.sorted()))
        }
    }

    // MARK: Raw access

    func contains(_ key: String) -> Bool {
        knownKeys.insert(key)
        return entries[key] != nil
    }

    /// The string at `key` without recording or reporting anything, to learn an entry's name after it failed to read.
    func peekString(_ key: String) -> String? {
        guard case .string(let text)? = entries[key] else { return nil }
        return text
    }

    func value(_ key: String) -> ConfigValue? {
        knownKeys.insert(key)
        return entries[key]
    }

    // MARK: Scalars

    func string(_ key: String) -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else {
            return typeMismatch(key, expected: "a string", got: value)
        }
        return text
    }

    /// A string that must be present and non-empty.
    func requiredString(_ key: String) -> String? {
        guard contains(key) else {
            report(key, "is required")
            return nil
        }
        guard let text = string(key) else { return nil }
        guard !text.isEmpty else {
            report(key, "must not be empty")
            return nil
        }
        return text
    }

    func boolean(_ key: String) -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .boolean(let flag) = value else {
            return typeMismatch(key, expected: "a boolean (true or false)", got: value)
        }
        return flag
    }

    func integer(_ key: String, in range: ClosedRange<Int>) -> Int? {
        guard let value = value(key) else { return nil }
        guard case .integer(let number) = value else {
            return typeMismatch(key, expected: "an integer", got: value)
        }
        guard range.contains(number) else {
            report(key, "must be between \(range.lowerBound) and \(range.upperBound), got \(number)")
            return nil
        }
        return number
    }

    /// A number of seconds, integer or float, within `range`.
    func seconds(_ key: String, in range: SecondsRange) -> Duration? {
        guard let value = value(key) else { return nil }
        let seconds: Double
        switch value {
        case .integer(let number): seconds = Double(number)
        case .float(let number): seconds = number
        default: return typeMismatch(key, expected: "a number of seconds", got: value)
        }
        guard seconds.isFinite else {
            report(key, "must be a finite number of seconds")
            return nil
        }
        guard range.contains(seconds) else {
            report(key, "\(range.requirement), got \(SecondsRange.format(seconds))")
            return nil
        }
        return .seconds(seconds)
    }

    /// One of an enumeration's raw values; the message lists them all.
    func choice<Choice: RawRepresentable & CaseIterable>(_ key: String, as _: Choice.Type) -> Choice?
    where Choice.RawValue == String {
        guard let text = string(key) else { return nil }
        guard let choice = Choice(rawValue: text) else {
            let allowed = Choice.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            let hint = KeySuggester.hint(for: text, among: Choice.allCases.map(\.rawValue))
            report(key, "must be one of \(allowed), got \"\(text)\"" + hint)
            return nil
        }
        return choice
    }

    /// A string turned into a value by `parse`, whose failure message is reported against the key.
    func parsed<Value>(
        _ key: String, required: Bool = false, _ parse: (String) -> Result<Value, ConfigMessage>
    ) -> Value? {
        if required && !contains(key) {
            report(key, "is required")
            return nil
        }
        guard let text = string(key) else { return nil }
        switch parse(text) {
        case .success(let value):
            return value
        case .failure(let message):
            report(key, message.text)
            return nil
        }
    }

    /// An enumeration value that must be present.
    func requiredChoice<Choice: RawRepresentable & CaseIterable>(_ key: String, as type: Choice.Type) -> Choice?
    where Choice.RawValue == String {
        guard contains(key) else {
            report(key, "is required")
            return nil
        }
        return choice(key, as: type)
    }

    // MARK: Collections

    /// Strings of an array, each with its own path so callers can report on one element.
    func stringList(_ key: String) -> [(text: String, path: ConfigPath)]? {
        guard let value = value(key) else { return nil }
        guard case .array(let elements) = value else {
            return typeMismatch(key, expected: "an array of strings", got: value)
        }
        var strings: [(text: String, path: ConfigPath)] = []
        for (index, element) in elements.enumerated() {
            let elementPath = path.child(key).element(index)
            guard case .string(let text) = element else {
                diagnostics.report(elementPath, "must be a string, got \(element.kindDescription)")
                continue
            }
            strings.append((text, elementPath))
        }
        return strings
    }

    /// An array of strings each turned into a value by `parse`; failures are reported on their element.
    func parsedList<Value>(_ key: String, _ parse: (String) -> Result<Value, ConfigMessage>) -> [Value]? {
        guard let strings = stringList(key) else { return nil }
        return strings.compactMap { text, elementPath in
            switch parse(text) {
            case .success(let value):
                return value
            case .failure(let message):
                diagnostics.report(elementPath, message.text)
                return nil
            }
        }
    }

    /// The table at `key`, or nil when absent or not a table.
    func table(_ key: String) -> TableReader? {
        guard let value = value(key) else { return nil }
        guard case .table(let entries) = value else {
            return typeMismatch(key, expected: "a table", got: value)
        }
        return TableReader(entries: entries, path: path.child(key), diagnostics: diagnostics)
    }

    /// The tables of an array of tables (`[[key]]` or `key = [{...}]`); non-table elements are reported.
    func tableList(_ key: String) -> [TableReader]? {
        guard let value = value(key) else { return nil }
        guard case .array(let elements) = value else {
            return typeMismatch(key, expected: "an array of tables", got: value)
        }
        var readers: [TableReader] = []
        for (index, element) in elements.enumerated() {
            let elementPath = path.child(key).element(index)
            guard case .table(let entries) = element else {
                diagnostics.report(elementPath, "must be a table, got \(element.kindDescription)")
                continue
            }
            readers.append(TableReader(entries: entries, path: elementPath, diagnostics: diagnostics))
        }
        return readers
    }

    private func typeMismatch<T>(_ key: String, expected: String, got value: ConfigValue) -> T? {
        report(key, "must be \(expected), got \(value.kindDescription)")
        return nil
    }
}

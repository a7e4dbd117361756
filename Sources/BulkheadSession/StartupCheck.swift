// Turns a client's StartupMessage into the settings it asks for, refusing what a proxy must not pass on.

import BulkheadWire

/// The settings a client asked for at startup, or why they are refused.
public enum StartupCheck {
    /// What a valid startup packet asks for.
    public struct Request: Sendable {
        public var user: String
        public var database: String
        /// Run-time parameters to apply, including those given with `options=-c name=value`.
        public var parameters: ParameterSet
    }

    /// A refusal with its SQLSTATE.
    public struct Refusal: Error, Sendable, Hashable {
        public var sqlState: String
        public var message: String
        /// 1-based character position of the offending token in the client's text, when known.
        public var position: Int?
        public init(sqlState: String, message: String, position: Int? = nil) {
            self.sqlState = sqlState
            self.message = message
            self.position = position
        }
    }

    public static func check(_ startup: StartupMessage) -> Result<Request, Refusal> {
        guard let user = startup.user, !user.isEmpty else {
            return .failure(Refusal(sqlState: SQLState.invalidAuthorization, message: "no PostgreSQL user name specified in startup packet"))
        }
        let database = startup.database ?? user
        var parameters = ParameterSet()
        for parameter in startup.parameters {
            let name = parameter.name
            if name.hasPrefix("_pq_.") || ParameterSync.nonSettings.contains(name.lowercased()) {
                switch name.lowercased() {
                case "replication":
                    if isFalse(parameter.value) { continue }
                    return .failure(Refusal(sqlState: SQLState.featureNotSupported, message: "bulkhead does not proxy replication connections"))
                case "options":
                    switch parseOptions(parameter.value) {
                    case .success(let pairs): for (key, value) in pairs { parameters[key] = value }
                    case .failure(let refusal): return .failure(refusal)
                    }
                default:
                    continue
                }
                continue
            }
            guard isValidName(name) else {
                return .failure(Refusal(sqlState: SQLState.protocolViolation, message: "invalid startup parameter name \"\(name)\""))
            }
            parameters[name] = parameter.value
        }
        return .success(Request(user: user, database: database, parameters: parameters))
    }

    /// A GUC name: letters, digits, underscores, and dots for custom (extension) settings.
    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first.properties.isAlphabetic || first == "_" else { return false }
        return name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_" || $0 == ".") }
    }

    private static func isFalse(_ value: String) -> Bool {
        ["false", "off", "no", "0"].contains(value.lowercased())
    }

    /// Parses `-c name=value` and `--name=value` words; backslash escapes a space, as in PostgreSQL.
    static func parseOptions(_ text: String) -> Result<[(String, String)], Refusal> {
        var words: [String] = []
        var current = ""
        var escaping = false
        for character in text {
            if escaping { current.append(character); escaping = false; continue }
            if character == "\\" { escaping = true; continue }
            if character == " " || character == "\t" {
                if !current.isEmpty { words.append(current); current = "" }
                continue
            }
            current.append(character)
        }
        if !current.isEmpty { words.append(current) }

        var pairs: [(String, String)] = []
        var index = 0
        while index < words.count {
            var setting: String
            if words[index] == "-c" {
                index += 1
                guard index < words.count else { return .failure(unsupportedOption("-c")) }
                setting = words[index]
            } else if words[index].hasPrefix("-c") {
                setting = String(words[index].dropFirst(2))
            } else if words[index].hasPrefix("--") {
                setting = String(words[index].dropFirst(2))
            } else {
                return .failure(unsupportedOption(words[index]))
            }
            guard let equals = setting.firstIndex(of: "=") else { return .failure(unsupportedOption(setting)) }
            let name = setting[..<equals].replacingOccurrences(of: "-", with: "_")
            guard isValidName(name) else { return .failure(unsupportedOption(setting)) }
            setting = String(setting[setting.index(after: equals)...])
            pairs.append((name, setting))
            index += 1
        }
        return .success(pairs)
    }

    private static func unsupportedOption(_ word: String) -> Refusal {
        Refusal(sqlState: SQLState.featureNotSupported, message: "unsupported startup option \"\(word)\": only -c name=value is accepted")
    }
}

extension StringProtocol {
    func replacingOccurrences(of target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}

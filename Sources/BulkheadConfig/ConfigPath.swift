// A key path into the configuration document, such as `databases[0].pool_size`.

/// Names one value in the TOML document by its table keys and array indices.
struct ConfigPath: Hashable, Sendable, CustomStringConvertible {
    /// One step of a path: a table key or an array index.
    enum Component: Hashable, Sendable {
        case key(String)
        case index(Int)
    }

    private(set) var components: [Component]

    static let root = ConfigPath(components: [])

    init(components: [Component]) {
        self.components = components
    }

    /// Builds a path from dotted keys, for tests and fixed top-level names.
    init(_ keys: String...) {
        self.components = keys.map { .key($0) }
    }

    var isRoot: Bool { components.isEmpty }

    func child(_ key: String) -> ConfigPath {
        ConfigPath(components: components + [.key(key)])
    }

    func element(_ index: Int) -> ConfigPath {
        ConfigPath(components: components + [.index(index)])
    }

    /// The enclosing path, or nil for the root.
    var parent: ConfigPath? {
        isRoot ? nil : ConfigPath(components: Array(components.dropLast()))
    }

    var description: String {
        var text = ""
        for component in components {
            switch component {
            case .key(let key):
                if !text.isEmpty { text += "." }
                text += ConfigPath.render(key: key)
            case .index(let index):
                text += "[\(index)]"
            }
        }
        return text
    }

    /// Quotes keys that TOML would not accept bare, so the printed path can be pasted back into a file.
    private static func render(key: String) -> String {
        let isBare = !key.isEmpty && key.unicodeScalars.allSatisfy { TOMLCharacters.isBareKey($0) }
        if isBare { return key }
        var quoted = "\""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            default: quoted.unicodeScalars.append(scalar)
            }
        }
        return quoted + "\""
    }
}

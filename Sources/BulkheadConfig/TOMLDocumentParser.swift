// Runs TOMLKit on the text and converts syntax errors into located configuration errors.

import TOMLKit

/// The TOML syntax layer: text in, plain values or a located syntax error out.
enum TOMLDocumentParser {
    static func parse(_ text: String, file: String) throws(ConfigErrors) -> [String: ConfigValue] {
        // TOMLKit hands the text to C++ as a C string, which would silently end at a NUL byte.
        if let nul = text.utf8.firstIndex(of: 0) {
            let line = text.utf8[..<nul].reduce(1) { $1 == UInt8(ascii: "\n") ? $0 + 1 : $0 }
            throw ConfigErrors(file: file, line: line, message: "the file contains a NUL byte")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            let begin = error.source.begin
            throw ConfigErrors(file: file, line: begin.line, message: "invalid TOML at column \(begin.column): \(error.description)")
        } catch {
            throw ConfigErrors(file: file, line: nil, message: "invalid TOML: \(error)")
        }
        guard case .table(let entries) = ConfigValue(table: table) else { return [:] }
        return entries
    }
}

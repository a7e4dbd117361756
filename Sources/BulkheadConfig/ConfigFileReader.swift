// Reads the configuration file's text, turning I/O failures into configuration errors.

import Foundation

/// File access for `BulkheadConfig.load(path:)`.
enum ConfigFileReader {
    static func read(path: String) throws(ConfigErrors) -> String {
        func unreadable(_ reason: String) -> ConfigErrors {
            ConfigErrors(file: path, line: nil, message: "cannot read the configuration: " + reason)
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw unreadable("no such file")
        }
        guard !isDirectory.boolValue else {
            throw unreadable("it is a directory")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw unreadable("permission denied or I/O error")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw unreadable("it is not valid UTF-8")
        }
        return text
    }
}

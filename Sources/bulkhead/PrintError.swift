// Writes a message to standard error.

import Foundation

/// Prints to standard error, so scripts can tell diagnostics from output.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

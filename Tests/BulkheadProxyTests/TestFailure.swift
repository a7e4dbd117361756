// The error test helpers throw when the proxy did not do what a scenario needs to continue.

/// A scenario could not go on; the description says what was seen instead.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

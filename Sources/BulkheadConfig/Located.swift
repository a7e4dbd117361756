// A decoded value paired with where it was written, for cross-entry checks.

/// A value and the path of the table it was read from.
struct Located<Value> {
    let value: Value
    let path: ConfigPath
}

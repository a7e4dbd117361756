// The extended-query Close message.

/// Close ('C'): releases a prepared statement or portal.
public struct Close: Sendable, Hashable {
    /// What to close.
    public var target: DescribeTarget

    /// Creates a Close message.
    public init(target: DescribeTarget) {
        self.target = target
    }
}

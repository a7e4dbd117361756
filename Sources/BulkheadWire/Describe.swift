// The extended-query Describe message.

/// Describe ('D'): asks for a statement's parameter and row description, or a portal's row description.
public struct Describe: Sendable, Hashable {
    /// What to describe.
    public var target: DescribeTarget

    /// Creates a Describe message.
    public init(target: DescribeTarget) {
        self.target = target
    }
}

// The random source read balancing draws from: seedable, so every pick can be reproduced.

/// A small, fast, seedable generator (SplitMix64) for balancing.
///
/// Routing takes this concrete type rather than any `RandomNumberGenerator` because a generic parameter
/// cannot be specialised across the module boundary, which made each pick an order of magnitude slower.
/// Balancing needs spread, not secrecy, so a statistical generator is enough.
public struct RoutingRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// A generator that yields the same sequence for the same seed.
    public init(seed: UInt64) {
        state = seed
    }

    /// A generator seeded from the system's random source.
    public init() {
        var system = SystemRandomNumberGenerator()
        state = system.next()
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}

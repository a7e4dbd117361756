// Cryptographically secure random bytes for salts, nonces and mock keys.

/// Secure randomness; `SystemRandomNumberGenerator` reads the kernel's CSPRNG (getrandom on Linux).
public enum AuthRandom {
    /// Returns `count` random bytes (none when `count` is not positive).
    public static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<max(count, 0)).map { _ in UInt8.random(in: UInt8.min...UInt8.max, using: &generator) }
    }
}

// SCRAM's Hi() function: PBKDF2 with HMAC-SHA-256 producing one 32-byte block.
import Crypto

/// PBKDF2-HMAC-SHA-256 limited to the single output block SCRAM-SHA-256 needs (RFC 5802 section 2.2).
enum PBKDF2 {
    /// Hi(password, salt, iterations). `iterations` below 1 is treated as 1; callers validate ranges first.
    static func hi(password: [UInt8], salt: [UInt8], iterations: Int) -> [UInt8] {
        // Keying HMAC once and copying it avoids re-hashing the key pads on every iteration.
        let keyed = HMAC<SHA256>(key: SymmetricKey(data: password))
        var first = keyed
        first.update(data: salt + [0, 0, 0, 1])
        var block = Array(first.finalize())
        var result = block
        for _ in 1..<max(iterations, 1) {
            var next = keyed
            next.update(data: block)
            block = Array(next.finalize())
            for index in result.indices {
                result[index] ^= block[index]
            }
        }
        return result
    }
}

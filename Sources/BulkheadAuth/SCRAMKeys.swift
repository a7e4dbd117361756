// The SCRAM-SHA-256 key schedule (RFC 5802 section 3), shared by the verifier, server and client.
import Crypto

/// The keys and signatures SCRAM derives from a salted password and the auth message.
enum SCRAMKeys {
    /// Length of every SCRAM-SHA-256 key, proof and signature.
    static let length = SHA256.byteCount

    static func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    static func sha256(_ bytes: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: bytes))
    }

    static func saltedPassword(password: String, salt: [UInt8], iterations: Int) -> [UInt8] {
        PBKDF2.hi(password: SASLprep.passwordBytes(password), salt: salt, iterations: iterations)
    }

    static func clientKey(saltedPassword: [UInt8]) -> [UInt8] {
        hmac(key: saltedPassword, Array("Client Key".utf8))
    }

    static func serverKey(saltedPassword: [UInt8]) -> [UInt8] {
        hmac(key: saltedPassword, Array("Server Key".utf8))
    }

    static func xor(_ lhs: [UInt8], _ rhs: [UInt8]) -> [UInt8] {
        zip(lhs, rhs).map { $0 ^ $1 }
    }
}

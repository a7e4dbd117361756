// PostgreSQL's md5 password exchange (AuthenticationMD5Password), both the client response and the server check.
import Crypto

/// The md5 challenge-response: the client proves knowledge of md5(password + user) salted by the server.
public enum MD5Auth {
    /// `"md5" + hex(md5(hex(md5(password + user)) + salt))`: what a client sends.
    public static func response(user: String, password: String, salt: [UInt8]) -> String {
        salted(innerHash: Array(hashedPassword(user: user, password: password).utf8.dropFirst(3)), salt: salt)
    }

    /// Server check against `stored`: `.plaintext` or `.md5` (md5 of password+user); `.scram` can't do md5, so false.
    /// The comparison is constant-time.
    public static func verify(response: String, user: String, stored: StoredSecret, salt: [UInt8]) -> Bool {
        let expected: String
        switch stored {
        case .plaintext(let password):
            expected = Self.response(user: user, password: password, salt: salt)
        case .md5(let hash):
            // Stored hashes are salted with the role name, so they only fit the user they were made for.
            guard StoredSecret.isMD5Hash(hash) else {
                return false
            }
            expected = salted(innerHash: Array(hash.utf8.dropFirst(3)), salt: salt)
        case .scram:
            return false
        }
        return constantTimeEquals(Array(response.utf8), Array(expected.utf8))
    }

    /// The value PostgreSQL stores for md5 authentication: `"md5" + hex(md5(password + user))`.
    public static func hashedPassword(user: String, password: String) -> String {
        "md5" + Hex.lowercase(Insecure.MD5.hash(data: Array(password.utf8) + Array(user.utf8)))
    }

    private static func salted(innerHash: [UInt8], salt: [UInt8]) -> String {
        "md5" + Hex.lowercase(Insecure.MD5.hash(data: innerHash + salt))
    }
}

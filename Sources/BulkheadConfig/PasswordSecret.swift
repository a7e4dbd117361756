// What a configured password string is: plaintext, an md5 hash or a SCRAM verifier.

/// A user's stored secret, classified the way PostgreSQL classifies `pg_authid.rolpassword`.
public enum PasswordSecret: Sendable, Hashable {
    /// A cleartext password; works with every authentication method.
    case plaintext(String)
    /// `"md5"` followed by 32 lowercase hex digits of md5(password + user name); works only with md5.
    case md5(String)
    /// A SCRAM-SHA-256 verifier; works only with scram-sha-256.
    case scram(ScramVerifier)

    /// Classifies `text`; a string that starts like a SCRAM verifier but is malformed is an error,
    /// because treating it as plaintext would silently accept the wrong password.
    static func parse(_ text: String) -> Result<PasswordSecret, ConfigMessage> {
        if text.hasPrefix(ScramVerifier.prefix) {
            return ScramVerifier.parse(text).map(PasswordSecret.scram)
        }
        if isMD5Hash(text) {
            return .success(.md5(text))
        }
        return .success(.plaintext(text))
    }

    /// Whether the client exchange `method` can be run with this secret.
    func supports(_ method: AuthMethod) -> Bool {
        switch (self, method) {
        case (.plaintext, _), (_, .trust), (.md5, .md5), (.scram, .scramSHA256): return true
        case (.md5, .scramSHA256), (.scram, .md5): return false
        }
    }

    /// PostgreSQL's own test: exactly "md5" plus 32 lowercase hex digits.
    private static func isMD5Hash(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard utf8.count == 35, text.hasPrefix("md5") else { return false }
        return utf8.dropFirst(3).allSatisfy { byte in
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
        }
    }
}

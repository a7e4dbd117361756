// How a configured password is stored: plaintext, a SCRAM-SHA-256 verifier, or a PostgreSQL md5 hash.

/// A configured secret, classified the way PostgreSQL classifies `rolpassword`.
public enum StoredSecret: Sendable, Hashable {
    /// The password itself; can answer both SCRAM and md5.
    case plaintext(String)
    /// A SCRAM-SHA-256 verifier; can answer SCRAM only.
    case scram(SCRAMVerifier)
    /// `"md5"` followed by 32 lowercase hex digits of md5(password + username); can answer md5 only.
    case md5(String)

    /// Length of `"md5"` plus 32 hex digits.
    static let md5Length = 35

    /// Classifies `text`. A valid verifier becomes `.scram`, `md5` plus 32 lowercase hex digits becomes `.md5`,
    /// and anything else, including a malformed `SCRAM-SHA-256$` text, is `.plaintext` as in PostgreSQL.
    /// Run `validate(_:)` on configuration input first so such mistakes are reported instead of silently used.
    public init(parsing text: String) {
        if let verifier = SCRAMVerifier(parsing: text) {
            self = .scram(verifier)
        } else if Self.isMD5Hash(text) {
            self = .md5(text)
        } else {
            self = .plaintext(text)
        }
    }

    /// Nil when `text` is acceptable as a configured secret, otherwise a message for the operator.
    public static func validate(_ text: String) -> String? {
        if text.isEmpty {
            return "empty password"
        }
        if text.hasPrefix(SCRAMVerifier.prefix) {
            do throws(SCRAMVerifier.SyntaxError) {
                _ = try SCRAMVerifier.parse(text)
            } catch {
                return "malformed SCRAM-SHA-256 verifier: \(error.reason)"
            }
        }
        if text.hasPrefix("md5"), text.utf8.count == md5Length, !isMD5Hash(text),
           text.dropFirst(3).allSatisfy(\.isHexDigit) {
            return "malformed md5 hash: hex digits must be lowercase"
        }
        return nil
    }

    static func isMD5Hash(_ text: String) -> Bool {
        text.utf8.count == md5Length && text.hasPrefix("md5") && Hex.isLowercaseHex(text.dropFirst(3))
    }
}

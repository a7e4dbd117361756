// The ways an authentication exchange can fail.

/// Why an exchange failed: a protocol problem (with a description safe to log) or a wrong password.
public enum AuthFailure: Error, Sendable, Hashable {
    /// The peer sent something that does not follow the protocol; the string says what.
    case invalidMessage(String)
    /// The exchange was well formed but the credentials did not match.
    case wrongPassword
}

// Disambiguates the 'p' message, whose meaning depends on which authentication request preceded it.

/// What a 'p' frame is, as known from the authentication exchange in progress.
public enum AuthenticationResponseKind: Sendable, Hashable {
    /// PasswordMessage: cleartext or "md5..." digest.
    case password
    /// SASLInitialResponse, after AuthenticationSASL.
    case saslInitial
    /// SASLResponse, after AuthenticationSASLContinue.
    case saslContinue
}

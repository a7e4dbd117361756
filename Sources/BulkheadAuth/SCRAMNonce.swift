// Nonce generation for both SCRAM roles, with a test hook that can't produce an invalid nonce.

/// Nonces as sent on the wire: printable ASCII without ','.
enum SCRAMNonce {
    /// PostgreSQL and libpq both use 18 random bytes, Base64-encoded.
    static let randomByteCount = 18

    /// Nil or empty gives a fresh random nonce. Supplied bytes that already form a valid nonce are used verbatim
    /// (so tests can replay fixed vectors); any other bytes are Base64-encoded so the result is always valid.
    static func make(_ supplied: [UInt8]?) -> [UInt8] {
        guard let supplied, !supplied.isEmpty else {
            return Base64.encodeToBytes(AuthRandom.bytes(randomByteCount))
        }
        return SCRAMSyntax.isValidNonce(supplied) ? supplied : Base64.encodeToBytes(supplied)
    }
}

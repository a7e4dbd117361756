// A stored SCRAM-SHA-256 verifier, as PostgreSQL keeps it in pg_authid.

import Foundation

/// The parts of a `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>` secret (RFC 5803 layout),
/// decoded so the authentication module can run the exchange without reparsing.
public struct ScramVerifier: Sendable, Hashable {
    static let prefix = "SCRAM-SHA-256$"
    /// SHA-256 output length: StoredKey and ServerKey are both digests.
    static let keyLength = 32
    private static let shapeMessage: ConfigMessage =
        "a SCRAM verifier must look like \"SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>\""

    /// The PBKDF2 iteration count.
    public var iterations: Int
    /// The salt, decoded from base64.
    public var salt: [UInt8]
    /// H(ClientKey), decoded from base64.
    public var storedKey: [UInt8]
    /// HMAC(SaltedPassword, "Server Key"), decoded from base64.
    public var serverKey: [UInt8]

    /// Checks the shape only; whether the keys match a password is the authentication module's job.
    static func parse(_ text: String) -> Result<ScramVerifier, ConfigMessage> {
        guard text.hasPrefix(prefix) else { return .failure("a SCRAM verifier must start with \"\(prefix)\"") }
        let body = text.dropFirst(prefix.count)
        let sections = body.split(separator: "$", omittingEmptySubsequences: false)
        guard sections.count == 2 else {
            return .failure(shapeMessage)
        }
        let parameters = sections[0].split(separator: ":", omittingEmptySubsequences: false)
        let keys = sections[1].split(separator: ":", omittingEmptySubsequences: false)
        guard parameters.count == 2, keys.count == 2 else {
            return .failure(shapeMessage)
        }
        guard !parameters[0].isEmpty, parameters[0].allSatisfy(\.isASCIIDigit),
              let iterations = Int(parameters[0]), iterations > 0
        else {
            return .failure("the SCRAM iteration count must be a positive integer")
        }
        guard let salt = decodeBase64(parameters[1]), !salt.isEmpty else {
            return .failure("the SCRAM salt is not valid base64")
        }
        guard let storedKey = decodeBase64(keys[0]), storedKey.count == keyLength else {
            return .failure("the SCRAM StoredKey must be \(keyLength) bytes of base64")
        }
        guard let serverKey = decodeBase64(keys[1]), serverKey.count == keyLength else {
            return .failure("the SCRAM ServerKey must be \(keyLength) bytes of base64")
        }
        return .success(ScramVerifier(iterations: iterations, salt: salt, storedKey: storedKey, serverKey: serverKey))
    }

    private static func decodeBase64(_ text: Substring) -> [UInt8]? {
        Data(base64Encoded: String(text)).map { [UInt8]($0) }
    }
}

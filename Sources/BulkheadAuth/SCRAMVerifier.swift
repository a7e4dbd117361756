// A SCRAM-SHA-256 secret in PostgreSQL's text format, with strict parsing and derivation from a password.

/// A SCRAM-SHA-256 secret in PostgreSQL's format:
/// `SCRAM-SHA-256$<iterations>:<base64 salt>$<base64 StoredKey>:<base64 ServerKey>`.
/// It lets a server check a client's proof without knowing the password.
public struct SCRAMVerifier: Sendable, Hashable, CustomStringConvertible {
    /// The text every verifier starts with.
    public static let prefix = "SCRAM-SHA-256$"

    /// Hi() iteration count the password was hashed with.
    public var iterations: Int
    /// Salt the password was hashed with.
    public var salt: [UInt8]
    /// H(ClientKey): checks a client's proof.
    public var storedKey: [UInt8]
    /// HMAC(SaltedPassword, "Server Key"): signs the server-final message.
    public var serverKey: [UInt8]

    /// Builds a verifier from its parts, unchecked; `init?(parsing:)` is the validating entry point.
    public init(iterations: Int, salt: [UInt8], storedKey: [UInt8], serverKey: [UInt8]) {
        self.iterations = iterations
        self.salt = salt
        self.storedKey = storedKey
        self.serverKey = serverKey
    }

    /// Parses PostgreSQL's format; nil on anything malformed (iterations outside 1...10,000,000,
    /// invalid or empty Base64 salt, keys that are not 32 bytes, extra or missing fields).
    public init?(parsing text: String) {
        guard let parsed = try? Self.parse(text) else {
            return nil
        }
        self = parsed
    }

    /// Computes the verifier PostgreSQL would store for `password` (after SASLprep) with this salt.
    /// Iterations outside 1...10,000,000 are clamped into that range, so the result always parses back.
    public static func derive(password: String, salt: [UInt8], iterations: Int) -> SCRAMVerifier {
        let iterations = min(max(iterations, SCRAMLimits.iterations.lowerBound), SCRAMLimits.iterations.upperBound)
        let salted = SCRAMKeys.saltedPassword(password: password, salt: salt, iterations: iterations)
        return SCRAMVerifier(
            iterations: iterations,
            salt: salt,
            storedKey: SCRAMKeys.sha256(SCRAMKeys.clientKey(saltedPassword: salted)),
            serverKey: SCRAMKeys.serverKey(saltedPassword: salted)
        )
    }

    /// Derives a verifier with a fresh random 16-byte salt, PostgreSQL's default salt length.
    public static func make(password: String, iterations: Int = 4096) -> SCRAMVerifier {
        derive(password: password, salt: AuthRandom.bytes(16), iterations: iterations)
    }

    /// The verifier in PostgreSQL's text format.
    public var description: String {
        "\(Self.prefix)\(iterations):\(Base64.encode(salt))$\(Base64.encode(storedKey)):\(Base64.encode(serverKey))"
    }

    /// Why a verifier text was rejected, worded for configuration error messages.
    struct SyntaxError: Error {
        let reason: String
    }

    /// The parser behind `init?(parsing:)`, keeping the reason so configuration validation can report it.
    static func parse(_ text: String) throws(SyntaxError) -> SCRAMVerifier {
        guard text.hasPrefix(prefix) else {
            throw SyntaxError(reason: "does not start with \(prefix)")
        }
        let sections = text.dropFirst(prefix.count).split(separator: "$", omittingEmptySubsequences: false)
        guard sections.count == 2 else {
            throw SyntaxError(reason: "expected <iterations>:<salt>$<StoredKey>:<ServerKey>")
        }
        let parameters = sections[0].split(separator: ":", omittingEmptySubsequences: false)
        let keys = sections[1].split(separator: ":", omittingEmptySubsequences: false)
        guard parameters.count == 2, keys.count == 2 else {
            throw SyntaxError(reason: "expected <iterations>:<salt>$<StoredKey>:<ServerKey>")
        }
        guard let iterations = SCRAMLimits.parseIterations(parameters[0].utf8) else {
            throw SyntaxError(reason: "iteration count must be a number from 1 to \(SCRAMLimits.iterations.upperBound)")
        }
        guard let salt = Base64.decode(String(parameters[1])), !salt.isEmpty else {
            throw SyntaxError(reason: "salt is not valid non-empty Base64")
        }
        guard let storedKey = Base64.decode(String(keys[0])), storedKey.count == SCRAMKeys.length else {
            throw SyntaxError(reason: "StoredKey is not Base64 of \(SCRAMKeys.length) bytes")
        }
        guard let serverKey = Base64.decode(String(keys[1])), serverKey.count == SCRAMKeys.length else {
            throw SyntaxError(reason: "ServerKey is not Base64 of \(SCRAMKeys.length) bytes")
        }
        return SCRAMVerifier(iterations: iterations, salt: salt, storedKey: storedKey, serverKey: serverKey)
    }
}

// The client side of SCRAM-SHA-256 (Bulkhead logging in to PostgreSQL) as a pure state machine.

/// Client side of SCRAM-SHA-256 without channel binding, behaving like libpq: GS2 header `n,,`,
/// an empty username (PostgreSQL uses the startup user), and a check of the server's signature.
public struct SCRAMClient: Sendable {
    private enum State: Sendable {
        case awaitingServerFirst
        case awaitingServerFinal(expectedServerSignature: [UInt8])
        case finished
    }

    private static let gs2Header = Array("n,,".utf8)

    private let password: String
    private let clientFirstBare: [UInt8]
    private let clientNonce: [UInt8]
    private var state = State.awaitingServerFirst

    /// `clientNonce` nil gives 18 random bytes, Base64-encoded. `username` is sent (escaped) as n=; PostgreSQL ignores
    /// it, so it exists for replaying published test vectors.
    public init(password: String, clientNonce: String? = nil, username: String = "") {
        self.password = password
        self.clientNonce = SCRAMNonce.make(clientNonce.map { Array($0.utf8) })
        self.clientFirstBare = Array("n=".utf8) + Self.saslName(username) + Array(",r=".utf8) + self.clientNonce
    }

    /// RFC 5802 escapes ',' and '=' in names because they delimit attributes.
    private static func saslName(_ username: String) -> [UInt8] {
        username.utf8.flatMap { byte -> [UInt8] in
            switch byte {
            case UInt8(ascii: ","): Array("=2C".utf8)
            case UInt8(ascii: "="): Array("=3D".utf8)
            default: [byte]
            }
        }
    }

    /// client-first-message: `n,,n=,r=<nonce>`.
    public func clientFirstMessage() -> [UInt8] {
        Self.gs2Header + clientFirstBare
    }

    /// Takes server-first-message, returns client-final-message. Checks that the nonce extends ours,
    /// that the salt is non-empty Base64 and that iterations are within 1...10,000,000 before hashing.
    public mutating func receiveServerFirst(_ message: [UInt8]) throws(AuthFailure) -> [UInt8] {
        guard case .awaitingServerFirst = state else {
            state = .finished
            throw AuthFailure.invalidMessage("unexpected server-first-message")
        }
        state = .finished
        let name = "server-first-message"
        try SCRAMSyntax.requireUTF8(message, in: name)
        let attributes = try SCRAMSyntax.attributes(message[...], in: name)
        try SCRAMSyntax.rejectMandatoryExtension(attributes, in: name)
        let nonce = try SCRAMSyntax.required(attributes, at: 0, named: "r", in: name)
        guard SCRAMSyntax.isValidNonce(nonce), nonce.count > clientNonce.count, nonce.starts(with: clientNonce) else {
            throw AuthFailure.invalidMessage("nonce in server-first-message does not extend the client nonce")
        }
        guard let salt = Base64.decode(bytes: try SCRAMSyntax.required(attributes, at: 1, named: "s", in: name)),
              !salt.isEmpty else {
            throw AuthFailure.invalidMessage("invalid salt in server-first-message")
        }
        guard let iterations = SCRAMLimits.parseIterations(
            try SCRAMSyntax.required(attributes, at: 2, named: "i", in: name)
        ) else {
            throw AuthFailure.invalidMessage(
                "iteration count in server-first-message must be 1 to \(SCRAMLimits.iterations.upperBound)"
            )
        }

        let salted = SCRAMKeys.saltedPassword(password: password, salt: salt, iterations: iterations)
        let clientKey = SCRAMKeys.clientKey(saltedPassword: salted)
        let storedKey = SCRAMKeys.sha256(clientKey)
        let withoutProof = Array("c=".utf8) + Base64.encodeToBytes(Self.gs2Header) + Array(",r=".utf8) + nonce
        let authMessage = clientFirstBare + [SCRAMSyntax.comma] + message + [SCRAMSyntax.comma] + withoutProof
        let proof = SCRAMKeys.xor(clientKey, SCRAMKeys.hmac(key: storedKey, authMessage))
        let serverSignature = SCRAMKeys.hmac(key: SCRAMKeys.serverKey(saltedPassword: salted), authMessage)
        state = .awaitingServerFinal(expectedServerSignature: serverSignature)
        return withoutProof + Array(",p=".utf8) + Base64.encodeToBytes(proof)
    }

    /// Takes server-final-message and checks the server's signature in constant time, proving the server
    /// knew the verifier. `e=` from the server is reported as `.invalidMessage`.
    public mutating func receiveServerFinal(_ message: [UInt8]) throws(AuthFailure) {
        guard case .awaitingServerFinal(let expected) = state else {
            state = .finished
            throw AuthFailure.invalidMessage("unexpected server-final-message")
        }
        state = .finished
        let name = "server-final-message"
        try SCRAMSyntax.requireUTF8(message, in: name)
        let attributes = try SCRAMSyntax.attributes(message[...], in: name)
        if let first = attributes.first, first.isNamed("e") {
            throw AuthFailure.invalidMessage("server reported SCRAM error: \(String(decoding: first.value, as: UTF8.self))")
        }
        let verifier = try SCRAMSyntax.required(attributes, at: 0, named: "v", in: name)
        guard let signature = Base64.decode(bytes: verifier), constantTimeEquals(signature, expected) else {
            throw AuthFailure.invalidMessage("incorrect server signature")
        }
    }
}

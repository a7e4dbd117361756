// The server side of SCRAM-SHA-256 (Bulkhead authenticating a client) as a pure state machine.

/// Server side of SCRAM-SHA-256 as PostgreSQL runs it: the SCRAM username is ignored in favour of the
/// startup user, channel binding flags 'n' and 'y' are accepted, 'p' and authorization identities are refused.
/// Feed it the client's SASL payloads in order; any failure ends the exchange.
public struct SCRAMServer: Sendable {
    /// The SASL mechanism name to offer in AuthenticationSASL.
    public static let mechanism = "SCRAM-SHA-256"

    /// Iterations used for mock and plaintext-derived secrets, matching PostgreSQL's default.
    public static let defaultIterations = 4096

    /// Salt length used for mock and plaintext-derived secrets, matching PostgreSQL's default.
    static let mockSaltLength = 16

    private enum State: Sendable {
        case awaitingClientFirst
        case awaitingClientFinal(Exchange)
        case finished
    }

    /// What the client-final check needs from the first round.
    private struct Exchange: Sendable {
        let gs2Header: [UInt8]
        let nonce: [UInt8]
        let clientFirstBare: [UInt8]
        let serverFirst: [UInt8]
    }

    private let secret: SCRAMVerifier
    private let serverNonce: [UInt8]
    /// Set for mock exchanges, which run every step for real but can never succeed.
    private let doomed: Bool
    private var state = State.awaitingClientFirst

    /// `serverNonce` is the nonce text as bytes; nil gives 18 random bytes, Base64-encoded.
    public init(secret: SCRAMVerifier, serverNonce: [UInt8]? = nil) {
        self.init(secret: secret, serverNonce: serverNonce, doomed: false)
    }

    private init(secret: SCRAMVerifier, serverNonce: [UInt8]?, doomed: Bool) {
        self.secret = secret
        self.serverNonce = SCRAMNonce.make(serverNonce)
        self.doomed = doomed
    }

    /// For unknown users, or users whose secret can't do SCRAM: identical on the wire (a salt derived from
    /// username and `mockKey`, so it is stable per user, and 4096 iterations) but always ends in `.wrongPassword`,
    /// so clients cannot tell which users exist. `mockKey` should be random per process.
    public static func mock(username: String, mockKey: [UInt8], serverNonce: [UInt8]? = nil) -> SCRAMServer {
        // Random keys keep the proof check doing real work, so timing doesn't reveal the mock either.
        let secret = SCRAMVerifier(
            iterations: defaultIterations,
            salt: mockSalt(username: username, mockKey: mockKey),
            storedKey: AuthRandom.bytes(SCRAMKeys.length),
            serverKey: AuthRandom.bytes(SCRAMKeys.length)
        )
        return SCRAMServer(secret: secret, serverNonce: serverNonce, doomed: true)
    }

    /// Picks the exchange for a user's configured secret: a real one for `.scram`; for `.plaintext` a real one
    /// over a verifier derived with the user's mock salt (so the salt a user sees never changes); a mock for
    /// `.md5` and for unknown users (nil).
    public init(stored: StoredSecret?, username: String, mockKey: [UInt8], serverNonce: [UInt8]? = nil) {
        switch stored {
        case .scram(let verifier):
            self.init(secret: verifier, serverNonce: serverNonce)
        case .plaintext(let password):
            let verifier = SCRAMVerifier.derive(
                password: password,
                salt: Self.mockSalt(username: username, mockKey: mockKey),
                iterations: Self.defaultIterations
            )
            self.init(secret: verifier, serverNonce: serverNonce)
        case .md5, nil:
            self = Self.mock(username: username, mockKey: mockKey, serverNonce: serverNonce)
        }
    }

    /// A keyed hash, so salts are stable per user but unpredictable without the key.
    static func mockSalt(username: String, mockKey: [UInt8]) -> [UInt8] {
        Array(SCRAMKeys.hmac(key: mockKey, Array(username.utf8)).prefix(mockSaltLength))
    }

    /// Takes client-first-message, returns server-first-message.
    public mutating func receiveClientFirst(_ message: [UInt8]) -> Result<[UInt8], AuthFailure> {
        guard case .awaitingClientFirst = state else {
            state = .finished
            return .failure(.invalidMessage("unexpected client-first-message"))
        }
        state = .finished
        do throws(AuthFailure) {
            let exchange = try firstRound(message)
            state = .awaitingClientFinal(exchange)
            return .success(exchange.serverFirst)
        } catch {
            return .failure(error)
        }
    }

    /// Takes client-final-message, returns server-final-message (`v=...`) when the proof is right.
    public mutating func receiveClientFinal(_ message: [UInt8]) -> Result<[UInt8], AuthFailure> {
        guard case .awaitingClientFinal(let exchange) = state else {
            state = .finished
            return .failure(.invalidMessage("unexpected client-final-message"))
        }
        state = .finished
        do throws(AuthFailure) {
            return .success(try finalRound(message, exchange: exchange))
        } catch {
            return .failure(error)
        }
    }

    private func firstRound(_ message: [UInt8]) throws(AuthFailure) -> Exchange {
        let name = "client-first-message"
        try SCRAMSyntax.requireUTF8(message, in: name)
        let gs2Header = try Self.gs2Header(of: message)
        let bare = message[gs2Header.count...]
        let attributes = try SCRAMSyntax.attributes(bare, in: name)
        try SCRAMSyntax.rejectMandatoryExtension(attributes, in: name)
        // PostgreSQL authenticates the startup user, so the SCRAM username is read past but not used.
        _ = try SCRAMSyntax.required(attributes, at: 0, named: "n", in: name)
        let clientNonce = try SCRAMSyntax.required(attributes, at: 1, named: "r", in: name)
        guard SCRAMSyntax.isValidNonce(clientNonce) else {
            throw AuthFailure.invalidMessage("invalid nonce in \(name)")
        }
        let nonce = Array(clientNonce) + serverNonce
        let serverFirst = Array("r=".utf8) + nonce + Array(",s=".utf8) + Base64.encodeToBytes(secret.salt)
            + Array(",i=\(secret.iterations)".utf8)
        return Exchange(gs2Header: gs2Header, nonce: nonce, clientFirstBare: Array(bare), serverFirst: serverFirst)
    }

    /// Validates the GS2 header (`n,,` or `y,,`) and returns it, commas included.
    private static func gs2Header(of message: [UInt8]) throws(AuthFailure) -> [UInt8] {
        let parts = message.split(separator: SCRAMSyntax.comma, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw AuthFailure.invalidMessage("client-first-message lacks a GS2 header")
        }
        switch Array(parts[0]) {
        case Array("n".utf8), Array("y".utf8):
            // 'y' means the client could bind but believes we can't, which is true: we never offer -PLUS.
            break
        case let flag where flag.first == UInt8(ascii: "p"):
            throw AuthFailure.invalidMessage("channel binding was requested, but SCRAM-SHA-256-PLUS was not offered")
        default:
            throw AuthFailure.invalidMessage("invalid channel binding flag in client-first-message")
        }
        guard parts[1].isEmpty else {
            if parts[1].starts(with: Array("a=".utf8)) {
                throw AuthFailure.invalidMessage("authorization identities are not supported")
            }
            throw AuthFailure.invalidMessage("malformed GS2 header in client-first-message")
        }
        return Array(message[..<parts[2].startIndex])
    }

    private func finalRound(_ message: [UInt8], exchange: Exchange) throws(AuthFailure) -> [UInt8] {
        let name = "client-final-message"
        try SCRAMSyntax.requireUTF8(message, in: name)
        let attributes = try SCRAMSyntax.attributes(message[...], in: name)
        let channelBinding = try SCRAMSyntax.required(attributes, at: 0, named: "c", in: name)
        // Without channel binding data, c= must carry exactly the GS2 header the client opened with.
        guard Base64.decode(bytes: channelBinding) == exchange.gs2Header else {
            throw AuthFailure.invalidMessage("channel binding in client-final-message does not match the GS2 header")
        }
        let nonce = try SCRAMSyntax.required(attributes, at: 1, named: "r", in: name)
        guard Array(nonce) == exchange.nonce else {
            throw AuthFailure.invalidMessage("nonce in client-final-message does not match")
        }
        guard attributes.count >= 3, let proofAttribute = attributes.last, proofAttribute.isNamed("p") else {
            throw AuthFailure.invalidMessage("client-final-message lacks the p= attribute")
        }
        guard let proof = Base64.decode(bytes: proofAttribute.value), proof.count == SCRAMKeys.length else {
            throw AuthFailure.invalidMessage("malformed proof in client-final-message")
        }
        // The comma before p= belongs to neither part.
        let withoutProof = message[..<(proofAttribute.start - 1)]
        let authMessage = exchange.clientFirstBare + [SCRAMSyntax.comma] + exchange.serverFirst
            + [SCRAMSyntax.comma] + withoutProof
        let clientSignature = SCRAMKeys.hmac(key: secret.storedKey, authMessage)
        let clientKey = SCRAMKeys.xor(proof, clientSignature)
        let proofMatches = constantTimeEquals(SCRAMKeys.sha256(clientKey), secret.storedKey)
        guard proofMatches, !doomed else {
            throw AuthFailure.wrongPassword
        }
        return Array("v=".utf8) + Base64.encodeToBytes(SCRAMKeys.hmac(key: secret.serverKey, authMessage))
    }
}

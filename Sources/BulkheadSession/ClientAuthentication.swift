// The proxy's side of a client's password exchange: challenge, check, and a verdict that does not reveal why it failed.

import BulkheadAuth
import BulkheadWire
import NIOCore

/// Random material a session needs, supplied by the owner so the state machine stays deterministic.
public struct SessionRandomness: Sendable {
    public var md5Salt: [UInt8]
    public var scramNonce: [UInt8]
    /// Per-process key that makes mock SCRAM salts stable per user name without revealing anything.
    public var mockKey: [UInt8]

    public init(md5Salt: [UInt8], scramNonce: [UInt8], mockKey: [UInt8]) {
        self.md5Salt = md5Salt
        self.scramNonce = scramNonce
        self.mockKey = mockKey
    }
}

/// One client's authentication exchange, from the first challenge to the verdict.
///
/// Unknown users go through the same exchange as known ones (a mock SCRAM or md5 challenge) and fail
/// the same way, so that the wire shows no difference between "no such user" and "wrong password".
struct ClientAuthentication: Sendable {
    enum Step: Sendable {
        case md5(salt: [UInt8])
        case scramInitial(SCRAMServer)
        case scramFinal(SCRAMServer)
        case done
    }

    enum Outcome: Sendable {
        /// Send these frames and wait for the client's next message.
        case challenge(ByteBuffer)
        /// Authentication succeeded; send these frames (e.g. SASLFinal) before AuthenticationOk.
        case succeeded([ByteBuffer])
        /// The password was wrong or the user unknown.
        case failed
        /// The client broke the exchange's protocol.
        case violation(String)
    }

    private(set) var step: Step
    let user: String
    let policy: LoginPolicy

    /// Starts the exchange. Returns nil for trust, which needs no exchange.
    static func begin(user: String, policy: LoginPolicy, randomness: SessionRandomness) -> (ClientAuthentication, ByteBuffer)? {
        switch (policy.method, policy.userKnown) {
        case (.trust, true):
            return nil
        case (.md5, true):
            let auth = ClientAuthentication(step: .md5(salt: randomness.md5Salt), user: user, policy: policy)
            return (auth, BackendMessage.authentication(.md5Password(salt: randomness.md5Salt)).encoded)
        case (.scramSHA256, true), (.trust, false), (.md5, false), (.scramSHA256, false):
            let server: SCRAMServer
            if policy.userKnown, case .scram(let verifier)? = policy.secret {
                server = SCRAMServer(secret: verifier, serverNonce: randomness.scramNonce)
            } else {
                server = SCRAMServer.mock(username: user, mockKey: randomness.mockKey, serverNonce: randomness.scramNonce)
            }
            let auth = ClientAuthentication(step: .scramInitial(server), user: user, policy: policy)
            return (auth, BackendMessage.authentication(.sasl(mechanisms: [SCRAMServer.mechanism])).encoded)
        }
    }

    /// The expected kind of the next 'p' message.
    var expectedResponse: AuthenticationResponseKind? {
        switch step {
        case .md5: return .password
        case .scramInitial: return .saslInitial
        case .scramFinal: return .saslContinue
        case .done: return nil
        }
    }

    mutating func receive(_ message: FrontendMessage) -> Outcome {
        switch (step, message) {
        case (.md5(let salt), .password(let response)):
            step = .done
            guard policy.userKnown, let secret = policy.secret else { return .failed }
            return MD5Auth.verify(response: response, user: user, stored: secret, salt: salt) ? .succeeded([]) : .failed
        case (.scramInitial(var server), .saslInitialResponse(let initial)):
            guard initial.mechanism == SCRAMServer.mechanism else {
                return .violation("client selected an invalid SASL authentication mechanism")
            }
            guard let data = initial.data else { return .violation("SASL initial response is missing its data") }
            switch server.receiveClientFirst(Array(buffer: data)) {
            case .success(let serverFirst):
                step = .scramFinal(server)
                return .challenge(BackendMessage.authentication(.saslContinue(ByteBuffer(bytes: serverFirst))).encoded)
            case .failure(let failure):
                step = .done
                return Self.outcome(failure)
            }
        case (.scramFinal(var server), .saslResponse(let data)):
            step = .done
            switch server.receiveClientFinal(Array(buffer: data)) {
            case .success(let serverFinal):
                return .succeeded([BackendMessage.authentication(.saslFinal(ByteBuffer(bytes: serverFinal))).encoded])
            case .failure(let failure):
                return Self.outcome(failure)
            }
        case (.md5, _), (.scramInitial, _), (.scramFinal, _), (.done, _):
            return .violation("unexpected message during authentication")
        }
    }

    private static func outcome(_ failure: AuthFailure) -> Outcome {
        switch failure {
        case .wrongPassword: return .failed
        case .invalidMessage(let text): return .violation("malformed SCRAM message: \(text)")
        }
    }
}

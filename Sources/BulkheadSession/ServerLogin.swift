// Logs the proxy in to PostgreSQL with whatever method the server asks for, and collects what the server reports.

import BulkheadAuth
import BulkheadWire
import NIOCore

/// The proxy's login to one PostgreSQL server, as a pure state machine.
public struct ServerLogin: Sendable {
    /// What happens next.
    public enum Action: Sendable {
        /// Write this and wait.
        case send(ByteBuffer)
        /// Keep reading.
        case wait
        /// Logged in: the connection is ready for queries.
        case done(backendKey: BackendKey?, parameters: ParameterSet)
        /// The server refused, or broke the protocol.
        case failed(String)
    }

    enum State: Sendable {
        case initial
        case authenticating(SCRAMClient?)
        case waitingForReady
        case finished
    }

    private var state: State = .initial
    private let user: String
    private let database: String
    private let password: String
    private let extraParameters: [StartupParameter]
    private let clientNonce: String?
    private var parameters = ParameterSet()
    private var backendKey: BackendKey?

    /// - Parameter clientNonce: fixed SCRAM nonce for tests; nil draws a random one.
    public init(user: String, database: String, password: String, parameters: [StartupParameter] = [], clientNonce: String? = nil) {
        self.user = user
        self.database = database
        self.password = password
        self.extraParameters = parameters
        self.clientNonce = clientNonce
    }

    /// The StartupMessage to send first.
    public mutating func start() -> ByteBuffer {
        state = .authenticating(nil)
        let startup = StartupMessage(parameters: [
            StartupParameter(name: "user", value: user),
            StartupParameter(name: "database", value: database),
        ] + extraParameters)
        var buffer = ByteBuffer()
        startup.encode(into: &buffer)
        return buffer
    }

    /// A frame from the server during login.
    public mutating func receive(_ frame: Frame) -> Action {
        let message: BackendMessage
        do { message = try BackendMessage.decode(frame) } catch { return fail("invalid message from server: \(error.message)") }
        switch (state, message) {
        case (.authenticating(var scram), .authentication(let request)):
            return authenticate(request, scram: &scram)
        case (_, .errorResponse(let fields)):
            return fail("server refused login: \(fields.message ?? "unknown error") (SQLSTATE \(fields.sqlState ?? "?"))")
        case (.waitingForReady, .parameterStatus(let name, let value)):
            parameters[name] = value
            return .wait
        case (.waitingForReady, .backendKeyData(let processID, let secretKey)):
            backendKey = BackendKey(processID: processID, secretKey: secretKey)
            return .wait
        case (.waitingForReady, .noticeResponse), (.authenticating, .noticeResponse), (_, .negotiateProtocolVersion):
            return .wait
        case (.waitingForReady, .readyForQuery):
            state = .finished
            return .done(backendKey: backendKey, parameters: parameters)
        case (.initial, _), (.authenticating, _), (.waitingForReady, _), (.finished, _):
            return fail("unexpected message from server during login")
        }
    }

    private mutating func authenticate(_ request: Authentication, scram: inout SCRAMClient?) -> Action {
        switch request {
        case .ok:
            state = .waitingForReady
            return .wait
        case .cleartextPassword:
            return .send(FrontendMessage.password(password).encodedFrame)
        case .md5Password(let salt):
            return .send(FrontendMessage.password(MD5Auth.response(user: user, password: password, salt: salt)).encodedFrame)
        case .sasl(let mechanisms):
            guard mechanisms.contains(SCRAMServer.mechanism) else {
                return fail("server offers no supported SASL mechanism (\(mechanisms.joined(separator: ", ")))")
            }
            let client = SCRAMClient(password: password, clientNonce: clientNonce)
            state = .authenticating(client)
            let first = FrontendMessage.saslInitialResponse(SASLInitialResponse(mechanism: SCRAMServer.mechanism, data: ByteBuffer(bytes: client.clientFirstMessage())))
            return .send(first.encodedFrame)
        case .saslContinue(let data):
            guard var client = scram else { return fail("unexpected SASL continuation from server") }
            do {
                let final = try client.receiveServerFirst(Array(buffer: data))
                state = .authenticating(client)
                return .send(FrontendMessage.saslResponse(ByteBuffer(bytes: final)).encodedFrame)
            } catch {
                return fail("SCRAM exchange with server failed: \(error)")
            }
        case .saslFinal(let data):
            guard var client = scram else { return fail("unexpected SASL final message from server") }
            do {
                try client.receiveServerFinal(Array(buffer: data))
                state = .authenticating(client)
                return .wait
            } catch {
                return fail("server's SCRAM signature did not verify: \(error)")
            }
        case .kerberosV5, .gss, .gssContinue, .sspi:
            return fail("server asks for an authentication method bulkhead does not support")
        }
    }

    private mutating func fail(_ reason: String) -> Action {
        state = .finished
        return .failed(reason)
    }
}

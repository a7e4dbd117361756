// Builders and decoders that let session tests speak in protocol messages instead of bytes.

import BulkheadAuth
import BulkheadSession
import BulkheadWire
import NIOCore
import XCTest

extension FrontendMessage {
    var frame: Frame { Frame(uncheckedRaw: encodedFrame) }
}

extension BackendMessage {
    var frame: Frame { Frame(uncheckedRaw: encoded) }
}

/// Decodes every frame in a list of buffers as backend messages.
func backend(_ buffers: [ByteBuffer], file: StaticString = #filePath, line: UInt = #line) -> [BackendMessage] {
    var out: [BackendMessage] = []
    for var buffer in buffers {
        var decoder = FrameDecoder(maxMessageLength: 1 << 20)
        while let frame = try? decoder.decode(buffer: &buffer) {
            do { out.append(try BackendMessage.decode(frame)) } catch { XCTFail("undecodable backend frame: \(error)", file: file, line: line) }
        }
    }
    return out
}

/// Decodes every frame in a list of buffers as frontend messages.
func frontend(_ buffers: [ByteBuffer]) -> [FrontendMessage] {
    var out: [FrontendMessage] = []
    for var buffer in buffers {
        var decoder = FrameDecoder(maxMessageLength: 1 << 20)
        while let frame = try? decoder.decode(buffer: &buffer) {
            if let message = try? FrontendMessage.decode(frame) { out.append(message) }
        }
    }
    return out
}

let fixedRandomness = SessionRandomness(md5Salt: [1, 2, 3, 4], scramNonce: Array(repeating: 7, count: 18), mockKey: Array(repeating: 9, count: 32))
let clientKey = BackendKey(processID: 4242, secretKey: 99)

func startup(user: String = "alice", database: String = "docs", extra: [StartupParameter] = []) -> StartupPacket {
    .startup(StartupMessage(parameters: [StartupParameter(name: "user", value: user), StartupParameter(name: "database", value: database)] + extra))
}

func policy(_ method: ClientAuthMethod, secret: StoredSecret? = nil, known: Bool = true, database: Bool = true, mode: PoolMode = .session) -> LoginPolicy {
    LoginPolicy(userKnown: known, databaseKnown: database, method: method, secret: secret, poolMode: mode)
}

let serverParameters = ParameterSet([("server_version", "15.0"), ("client_encoding", "UTF8"), ("application_name", ""), ("TimeZone", "UTC")])

func link(id: Int = 1, parameters: ParameterSet = serverParameters) -> ServerLink {
    ServerLink(id: id, backendKey: BackendKey(processID: 77, secretKey: 88), parameters: parameters)
}

/// A session that has logged in with trust and holds (session mode) or has released (other modes) server link 1.
/// With `routing`, reads may go to replicas and read-your-writes is on.
func loggedIn(mode: PoolMode = .session, routing: Bool = false, knownStatements: PreparedStatementRegistry? = nil) -> ClientSession {
    var session = ClientSession(backendKey: clientKey, randomness: fixedRandomness,
                                settings: .init(poolModeDefault: mode, knownStatements: knownStatements))
    _ = session.startupPacket(startup()) { _ in
        var login = policy(.trust, mode: mode)
        login.routesReads = routing
        login.tracksWrites = routing
        return login
    }
    _ = session.serverLeased(link())
    return session
}

// One or more sample values for every message case, shared by the round-trip, verifier and fuzz tests.
import NIOCore
import BulkheadWire

enum MessageSamples {
    static func bytes(_ string: String) -> ByteBuffer {
        ByteBuffer(string: string)
    }

    /// Every frontend case, paired with the authentication context a 'p' frame needs.
    static let frontend: [(FrontendMessage, AuthenticationResponseKind?)] = [
        (.query("SELECT 1"), nil),
        (.query(""), nil),
        (.query("SELECT 'ünïcödé', '🐘'"), nil),
        (.parse(Parse(name: "s1", query: "SELECT $1::int, $2", parameterTypes: [23, 0])), nil),
        (.parse(Parse(name: "", query: "SELECT 1", parameterTypes: [])), nil),
        (
            .bind(
                Bind(
                    portal: "p1",
                    statement: "s1",
                    parameterFormats: [0, 1],
                    parameters: [bytes("42"), nil, ByteBuffer()],
                    resultFormats: [1]
                )
            ), nil
        ),
        (.bind(Bind(portal: "", statement: "", parameterFormats: [], parameters: [], resultFormats: [])), nil),
        (.describe(Describe(target: .statement("s1"))), nil),
        (.describe(Describe(target: .portal(""))), nil),
        (.execute(Execute(portal: "p1", maxRows: 100)), nil),
        (.execute(Execute(portal: "", maxRows: 0)), nil),
        (.close(Close(target: .statement("s1"))), nil),
        (.close(Close(target: .portal("p1"))), nil),
        (.sync, nil),
        (.flush, nil),
        (.terminate, nil),
        (
            .functionCall(
                FunctionCall(functionOID: 1598, argumentFormats: [1], arguments: [bytes("\u{1}"), nil], resultFormat: 1)
            ), nil
        ),
        (.functionCall(FunctionCall(functionOID: 0, argumentFormats: [], arguments: [], resultFormat: 0)), nil),
        (.copyData(bytes("1\tone\n")), nil),
        (.copyData(ByteBuffer()), nil),
        (.copyDone, nil),
        (.copyFail("client gave up"), nil),
        (.password("md5c0ffee00112233445566778899aabbcc"), .password),
        (.password("cleartext secret"), .password),
        (.saslInitialResponse(SASLInitialResponse(mechanism: "SCRAM-SHA-256", data: bytes("n,,n=,r=abc"))), .saslInitial),
        (.saslInitialResponse(SASLInitialResponse(mechanism: "SCRAM-SHA-256", data: nil)), .saslInitial),
        (.saslInitialResponse(SASLInitialResponse(mechanism: "X", data: ByteBuffer())), .saslInitial),
        (.saslResponse(bytes("c=biws,r=abcdef,p=proof")), .saslContinue),
        (.saslResponse(ByteBuffer()), .saslContinue),
    ]

    static let authentications: [Authentication] = [
        .ok,
        .kerberosV5,
        .cleartextPassword,
        .md5Password(salt: [0x01, 0x02, 0xFE, 0xFF]),
        .gss,
        .gssContinue(bytes("gss-token")),
        .sspi,
        .sasl(mechanisms: ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256"]),
        .sasl(mechanisms: []),
        .saslContinue(bytes("r=abc,s=c2FsdA==,i=4096")),
        .saslFinal(bytes("v=signature")),
    ]

    static let field = FieldDescription(
        name: "id",
        tableOID: 16384,
        columnAttribute: 1,
        dataTypeOID: 23,
        dataTypeSize: 4,
        typeModifier: -1,
        format: 0
    )

    /// Every backend case (and every authentication case).
    static let backend: [BackendMessage] =
        authentications.map(BackendMessage.authentication) + [
            .parameterStatus(name: "server_version", value: "17.2"),
            .parameterStatus(name: "application_name", value: ""),
            .backendKeyData(processID: 4242, secretKey: -123_456_789),
            .readyForQuery(.idle),
            .readyForQuery(.inTransaction),
            .readyForQuery(.failed),
            .rowDescription([field, FieldDescription(name: "", tableOID: 0, columnAttribute: 0, dataTypeOID: 25, dataTypeSize: -1, typeModifier: -1, format: 1)]),
            .rowDescription([]),
            .dataRow([bytes("1"), nil, ByteBuffer(), bytes("ünï")]),
            .dataRow([]),
            .commandComplete("SELECT 1"),
            .emptyQueryResponse,
            .error("42601", "syntax error at or near \"SELEC\"", position: 1),
            .errorResponse(ErrorFields(fields: [])),
            .noticeResponse(ErrorFields(fields: [ErrorField("S", "NOTICE"), ErrorField("C", "00000"), ErrorField("M", "hi")])),
            .parseComplete,
            .bindComplete,
            .closeComplete,
            .noData,
            .portalSuspended,
            .parameterDescription([23, 25, 0xFFFF_FFFF]),
            .parameterDescription([]),
            .copyInResponse(CopyResponse(format: 0, columnFormats: [0, 0])),
            .copyOutResponse(CopyResponse(format: 1, columnFormats: [1])),
            .copyBothResponse(CopyResponse(format: 0, columnFormats: [])),
            .copyData(bytes("row\n")),
            .copyDone,
            .notificationResponse(processID: 77, channel: "jobs", payload: "{\"id\":1}"),
            .notificationResponse(processID: 77, channel: "jobs", payload: ""),
            .functionCallResponse(bytes("result")),
            .functionCallResponse(nil),
            .negotiateProtocolVersion(newestMinor: 196_608, unrecognizedOptions: ["_pq_.compression"]),
            .negotiateProtocolVersion(newestMinor: 196_608, unrecognizedOptions: []),
        ]

    static let startupMessage = StartupMessage(parameters: [
        StartupParameter(name: "user", value: "alice"),
        StartupParameter(name: "database", value: "shop"),
        StartupParameter(name: "application_name", value: ""),
        StartupParameter(name: "_pq_.compression", value: "on"),
    ])

    static let startupPackets: [StartupPacket] = [
        .startup(startupMessage),
        .startup(StartupMessage(protocolVersion: 196_610, parameters: [StartupParameter(name: "user", value: "bob")])),
        .startup(StartupMessage(parameters: [])),
        .sslRequest,
        .gssEncRequest,
        .cancel(CancelRequest(processID: 4242, secretKey: -1)),
    ]

    static func encoded(_ message: FrontendMessage) -> ByteBuffer {
        var buffer = ByteBuffer()
        message.encode(into: &buffer)
        return buffer
    }

    static func encoded(_ message: BackendMessage) -> ByteBuffer {
        var buffer = ByteBuffer()
        message.encode(into: &buffer)
        return buffer
    }

    static func encoded(_ packet: StartupPacket) -> ByteBuffer {
        var buffer = ByteBuffer()
        packet.encode(into: &buffer)
        return buffer
    }
}

// Type bytes of every typed message of protocol 3.0, so callers can peek at `Frame.type` without decoding.

/// Namespace for the one-byte message type codes of protocol 3.0.
public enum MessageType {
    /// Type bytes of messages sent by the client.
    public enum Frontend {
        public static let bind: UInt8 = 0x42  // 'B'
        public static let close: UInt8 = 0x43  // 'C'
        public static let copyData: UInt8 = 0x64  // 'd'
        public static let copyDone: UInt8 = 0x63  // 'c'
        public static let copyFail: UInt8 = 0x66  // 'f'
        public static let describe: UInt8 = 0x44  // 'D'
        public static let execute: UInt8 = 0x45  // 'E'
        public static let flush: UInt8 = 0x48  // 'H'
        public static let functionCall: UInt8 = 0x46  // 'F'
        public static let parse: UInt8 = 0x50  // 'P'
        /// PasswordMessage, SASLInitialResponse, SASLResponse and GSSResponse all share 'p'.
        public static let authenticationResponse: UInt8 = 0x70  // 'p'
        public static let query: UInt8 = 0x51  // 'Q'
        public static let sync: UInt8 = 0x53  // 'S'
        public static let terminate: UInt8 = 0x58  // 'X'
    }

    /// Type bytes of messages sent by the server.
    public enum Backend {
        public static let authentication: UInt8 = 0x52  // 'R'
        public static let backendKeyData: UInt8 = 0x4B  // 'K'
        public static let bindComplete: UInt8 = 0x32  // '2'
        public static let closeComplete: UInt8 = 0x33  // '3'
        public static let commandComplete: UInt8 = 0x43  // 'C'
        public static let copyData: UInt8 = 0x64  // 'd'
        public static let copyDone: UInt8 = 0x63  // 'c'
        public static let copyInResponse: UInt8 = 0x47  // 'G'
        public static let copyOutResponse: UInt8 = 0x48  // 'H'
        public static let copyBothResponse: UInt8 = 0x57  // 'W'
        public static let dataRow: UInt8 = 0x44  // 'D'
        public static let emptyQueryResponse: UInt8 = 0x49  // 'I'
        public static let errorResponse: UInt8 = 0x45  // 'E'
        public static let functionCallResponse: UInt8 = 0x56  // 'V'
        public static let negotiateProtocolVersion: UInt8 = 0x76  // 'v'
        public static let noData: UInt8 = 0x6E  // 'n'
        public static let noticeResponse: UInt8 = 0x4E  // 'N'
        public static let notificationResponse: UInt8 = 0x41  // 'A'
        public static let parameterDescription: UInt8 = 0x74  // 't'
        public static let parameterStatus: UInt8 = 0x53  // 'S'
        public static let parseComplete: UInt8 = 0x31  // '1'
        public static let portalSuspended: UInt8 = 0x73  // 's'
        public static let readyForQuery: UInt8 = 0x5A  // 'Z'
        public static let rowDescription: UInt8 = 0x54  // 'T'
    }
}

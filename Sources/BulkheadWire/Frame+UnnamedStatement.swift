// Reads, in place, which prepared statement a Parse, Bind or Describe names, without decoding the message.

extension Frame {
    /// True when this Parse creates, or this Bind or Describe (of a statement) uses, the unnamed statement.
    /// Peeks at the name bytes only, so the check costs nothing on the hot path; malformed frames answer false
    /// and are left to the full decoder.
    public var namesUnnamedStatement: Bool {
        let body = self.body
        let start = body.readerIndex
        switch type {
        case MessageType.Frontend.parse:
            return body.getInteger(at: start, as: UInt8.self) == 0
        case MessageType.Frontend.bind:
            // The portal name comes first: skip it and its terminator.
            guard let end = body.readableBytesView.firstIndex(of: 0) else { return false }
            return body.getInteger(at: end + 1, as: UInt8.self) == 0
        case MessageType.Frontend.describe:
            return body.getInteger(at: start, as: UInt8.self) == UInt8(ascii: "S")
                && body.getInteger(at: start + 1, as: UInt8.self) == 0
        default:
            return false
        }
    }

    /// The statement a Bind names ("" for the unnamed one), read in place without decoding its parameters;
    /// nil for any other message, or a malformed Bind (left to the full decoder).
    public var boundStatementName: String? {
        guard type == MessageType.Frontend.bind else { return nil }
        let body = self.body
        let view = body.readableBytesView
        guard let portalEnd = view.firstIndex(of: 0), portalEnd + 1 < view.endIndex else { return nil }
        guard let nameEnd = view[(portalEnd + 1)...].firstIndex(of: 0) else { return nil }
        return body.getString(at: portalEnd + 1, length: nameEnd - portalEnd - 1)
    }
}

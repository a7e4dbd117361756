// A host and port to listen on, written "host:port" or "[v6]:port".

/// A socket address in configuration form; the host stays a string so names and wildcards need no lookup here.
public struct ListenAddress: Sendable, Hashable, CustomStringConvertible {
    /// A host name or IP address, without IPv6 brackets.
    public var host: String
    /// The TCP port; 0 lets the system pick one, which tests use to avoid collisions.
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses "host:port" or "[ipv6]:port"; the message explains the first problem found.
    static func parse(_ text: String) -> Result<ListenAddress, ConfigMessage> {
        func malformed(_ reason: String) -> Result<ListenAddress, ConfigMessage> {
            .failure("must be \"host:port\" or \"[ipv6]:port\", got \"\(text)\" (\(reason))")
        }
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                return malformed("missing \"]\"")
            }
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            guard rest.hasPrefix(":") else {
                return malformed("missing port")
            }
            portText = rest.dropFirst()
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                return malformed("missing port")
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") {
                return .failure("IPv6 addresses need brackets, like \"[::1]:6432\", got \"\(text)\"")
            }
        }
        guard !host.isEmpty else {
            return .failure("must name a host, like \"127.0.0.1:6432\" or \"0.0.0.0:6432\", got \"\(text)\"")
        }
        guard !portText.isEmpty, portText.allSatisfy(\.isASCIIDigit), portText.count <= 5,
              let port = Int(portText), port <= 65535
        else {
            return .failure("port must be a number between 0 and 65535, got \"\(text)\"")
        }
        return .success(ListenAddress(host: String(host), port: port))
    }

    /// "host:port", bracketing IPv6 hosts so the text parses back to the same address.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

// How clients prove who they are to the proxy.

/// The authentication exchange the proxy runs with a client.
public enum AuthMethod: String, Sendable, Hashable, CaseIterable {
    /// SCRAM-SHA-256 (RFC 7677); needs a plaintext password or a SCRAM verifier.
    case scramSHA256 = "scram-sha-256"
    /// PostgreSQL's legacy md5 challenge; needs a plaintext password or an `md5…` hash.
    case md5
    /// No password at all; only for trusted local networks.
    case trust
}

// Names the proxy gives client prepared statements on shared server connections.

import BulkheadWire
import Crypto

/// Server-side names for prepared statements under transaction pooling.
///
/// The name is derived from the statement's text and parameter types with SHA-256, so equal statements
/// from different clients share one server-side statement, and different statements can never collide.
enum StatementNames {
    /// `namespace` (the tenant) is part of the name, so tenants never share a server-side statement.
    static func serverName(for parse: Parse, namespace: String) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(namespace.utf8))
        hasher.update(data: [0])
        hasher.update(data: Array(parse.query.utf8))
        for type in parse.parameterTypes {
            withUnsafeBytes(of: type.bigEndian) { hasher.update(bufferPointer: $0) }
        }
        let digest = hasher.finalize()
        let hex = digest.prefix(16).map { byte in
            let digits = Array("0123456789abcdef".utf8)
            return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
        }
        return "bh_" + hex.joined()
    }
}

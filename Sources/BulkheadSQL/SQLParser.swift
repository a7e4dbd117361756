// Parses SQL text with PostgreSQL's own grammar (libpg_query, PG 15) and scanner.

import CPgQuery
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The entry point to libpg_query. Every C result is freed before returning; libpg_query keeps its memory
/// per thread, so concurrent calls from different threads are safe.
public enum SQLParser {
    /// Parses a query text (one or several statements) and scans its tokens, unless the caller has scanned
    /// them already. A text PostgreSQL would not parse, or that holds a NUL byte (the C parser would see only
    /// a prefix of what would be forwarded), fails.
    public static func parse(_ sql: String, scanned: [SQLToken]? = nil) -> Result<ParsedSQL, SQLError> {
        let bytes = Array(sql.utf8)
        if bytes.contains(0) {
            return .failure(SQLError(message: "query text contains a NUL byte", position: nil))
        }
        do {
            let statements = try parseTree(sql, bytes: bytes)
            let tokens = try scanned ?? scan(sql)
            return .success(ParsedSQL(text: sql, bytes: bytes, statements: statements, tokens: tokens))
        } catch let error as SQLError {
            return .failure(error)
        } catch {
            return .failure(SQLError(message: "unreadable parser output", position: nil))
        }
    }

    private static func parseTree(_ sql: String, bytes: [UInt8]) throws -> [ParsedStatement] {
        let result = pg_query_parse(sql)
        defer { pg_query_free_parse_result(result) }
        if let error = result.error {
            throw SQLError(message: error.pointee.message.map { String(cString: $0) } ?? "syntax error",
                           position: error.pointee.cursorpos > 0 ? Int(error.pointee.cursorpos) : nil)
        }
        guard let tree = result.parse_tree else { throw SQLError(message: "no parse tree", position: nil) }
        let root = try tree.withMemoryRebound(to: UInt8.self, capacity: 1) { pointer in
            try ParseTreeReader.parse(UnsafeBufferPointer(start: pointer, count: strlen(tree)))
        }
        return try ParseTreeBuilder.statements(from: root, bytes: bytes)
    }

    /// The scanner's tokens for a text, comments included.
    static func scan(_ sql: String) throws -> [SQLToken] {
        let result = pg_query_scan(sql)
        defer { pg_query_free_scan_result(result) }
        if let error = result.error {
            throw SQLError(message: error.pointee.message.map { String(cString: $0) } ?? "scan error",
                           position: error.pointee.cursorpos > 0 ? Int(error.pointee.cursorpos) : nil)
        }
        guard let data = result.pbuf.data, result.pbuf.len > 0 else { return [] }
        return try data.withMemoryRebound(to: UInt8.self, capacity: result.pbuf.len) { pointer in
            try ScanResultDecoder.decode(UnsafeBufferPointer(start: pointer, count: result.pbuf.len))
        }
    }
}

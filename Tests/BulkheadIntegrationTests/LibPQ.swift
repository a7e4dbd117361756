// A thin Swift wrapper over libpq, the reference PostgreSQL client, for driving the proxy in tests.

import CLibPQ
import Foundation

/// An error libpq reported, with the server's SQLSTATE when there was one.
struct PQError: Error, CustomStringConvertible {
    var sqlState: String?
    var message: String
    var description: String { "\(sqlState ?? "-----"): \(message)" }

    init(sqlState: String?, message: String) {
        self.sqlState = sqlState
        self.message = message
    }

    /// The error of a failed result; `details` appends DETAIL and HINT to the message.
    init(result: OpaquePointer, connection: OpaquePointer, details: Bool = false) {
        func field(_ code: Character) -> String? {
            PQresultErrorField(result, Int32(code.asciiValue ?? 0)).map { String(cString: $0) }
        }
        sqlState = field("C")
        message = field("M") ?? String(cString: PQerrorMessage(connection))
        if details {
            message += field("D").map { "\nDETAIL: " + $0 } ?? ""
            message += field("H").map { "\nHINT: " + $0 } ?? ""
        }
    }
}

/// The rows of one result, as text.
struct PQRows {
    var columns: [String]
    var rows: [[String?]]
    var command: String
    var first: String? { rows.first?.first ?? nil }

    init(columns: [String], rows: [[String?]], command: String) {
        self.columns = columns
        self.rows = rows
        self.command = command
    }

    /// The rows of a successful result; nil for an error result.
    init?(result: OpaquePointer) {
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            columns = (0..<PQnfields(result)).map { String(cString: PQfname(result, $0)) }
            rows = (0..<PQntuples(result)).map { row in
                (0..<PQnfields(result)).map { column in
                    PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
                }
            }
            command = String(cString: PQcmdStatus(result))
        default:
            return nil
        }
    }
}

/// One libpq connection. Not thread-safe: use each from one thread at a time, as libpq requires.
final class PQConnection: @unchecked Sendable {
    let raw: OpaquePointer

    init(_ conninfo: String) throws {
        guard let conn = PQconnectdb(conninfo) else { throw PQError(sqlState: nil, message: "out of memory") }
        raw = conn
        if PQstatus(conn) != CONNECTION_OK {
            // deinit finishes the connection: `raw` is already set.
            let message = String(cString: PQerrorMessage(conn)).trimmingCharacters(in: .whitespacesAndNewlines)
            throw PQError(sqlState: Self.sqlState(in: message), message: message)
        }
    }

    deinit { PQfinish(raw) }

    /// Libpq only gives the SQLSTATE of a failed login inside its message text; tests match on the text instead.
    private static func sqlState(in message: String) -> String? { nil }

    var backendPID: Int32 { PQbackendPID(raw) }

    func parameter(_ name: String) -> String? {
        guard let value = PQparameterStatus(raw, name) else { return nil }
        return String(cString: value)
    }

    @discardableResult
    func exec(_ sql: String) throws -> PQRows {
        try consume(PQexec(raw, sql))
    }

    /// Runs `sql` with text parameters through the extended protocol (unnamed statement).
    @discardableResult
    func exec(_ sql: String, _ parameters: [String?]) throws -> PQRows {
        let result = withCStrings(parameters) { pointers in
            PQexecParams(raw, sql, Int32(parameters.count), nil, pointers, nil, nil, 0)
        }
        return try consume(result)
    }

    func prepare(_ name: String, _ sql: String) throws {
        try consume(PQprepare(raw, name, sql, 0, nil))
    }

    @discardableResult
    func execPrepared(_ name: String, _ parameters: [String?]) throws -> PQRows {
        let result = withCStrings(parameters) { pointers in
            PQexecPrepared(raw, name, Int32(parameters.count), pointers, nil, nil, 0)
        }
        return try consume(result)
    }

    /// COPY ... FROM STDIN with `data` as the payload.
    func copyIn(_ sql: String, data: String) throws -> PQRows {
        let start = PQexec(raw, sql)
        guard PQresultStatus(start) == PGRES_COPY_IN else { return try consume(start) }
        PQclear(start)
        var bytes = Array(data.utf8)
        guard PQputCopyData(raw, &bytes, Int32(bytes.count)) == 1, PQputCopyEnd(raw, nil) == 1 else {
            throw PQError(sqlState: nil, message: String(cString: PQerrorMessage(raw)))
        }
        return try consume(PQgetResult(raw), drain: true)
    }

    /// COPY ... TO STDOUT; returns everything the server sent.
    func copyOut(_ sql: String) throws -> String {
        let start = PQexec(raw, sql)
        guard PQresultStatus(start) == PGRES_COPY_OUT else { _ = try consume(start); return "" }
        PQclear(start)
        var out = Data()
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let count = PQgetCopyData(raw, &buffer, 0)
            if count > 0, let buffer {
                out.append(UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: Int(count))
                PQfreemem(buffer)
            } else if count == -1 {
                break
            } else {
                throw PQError(sqlState: nil, message: String(cString: PQerrorMessage(raw)))
            }
        }
        _ = try consume(PQgetResult(raw), drain: true)
        return String(decoding: out, as: UTF8.self)
    }

    /// Sends a query without waiting for its result.
    func send(_ sql: String) throws {
        guard PQsendQuery(raw, sql) == 1 else { throw PQError(sqlState: nil, message: String(cString: PQerrorMessage(raw))) }
    }

    /// Waits for the results of a query sent with `send`.
    func results() throws -> PQRows {
        try consume(PQgetResult(raw), drain: true)
    }

    /// Asks the server, through a new connection as libpq does, to cancel the running query.
    func cancel() -> Bool {
        guard let cancel = PQgetCancel(raw) else { return false }
        defer { PQfreeCancel(cancel) }
        var errbuf = [CChar](repeating: 0, count: 256)
        return PQcancel(cancel, &errbuf, 256) == 1
    }

    @discardableResult
    private func consume(_ result: OpaquePointer?, drain: Bool = false) throws -> PQRows {
        defer {
            if drain { while let extra = PQgetResult(raw) { PQclear(extra) } }
        }
        guard let result else { throw PQError(sqlState: nil, message: String(cString: PQerrorMessage(raw))) }
        defer { PQclear(result) }
        if let rows = PQRows(result: result) { return rows }
        throw PQError(result: result, connection: raw)
    }

    private func withCStrings<T>(_ values: [String?], _ body: ([UnsafePointer<CChar>?]) -> T) -> T {
        let copies = values.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        return body(copies.map { $0.map { UnsafePointer($0) } })
    }
}

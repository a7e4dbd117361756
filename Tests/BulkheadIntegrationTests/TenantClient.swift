// A libpq client for attack tests that keeps every result, COPY payload and notice the server sends back.

import CLibPQ
import Foundation

/// The two ways a client sends SQL.
enum WireProtocol: String, CaseIterable, Sendable {
    /// One Query message (PQsendQuery): may hold several statements.
    case simple
    /// Parse/Bind/Describe/Execute/Sync of the unnamed statement (PQsendQueryParams).
    case extended
}

/// Everything one statement text produced.
struct StepResult {
    var results: [PQRows] = []
    var error: PQError?
    var copyOut = ""
    var notices: [String] = []

    var isSuccess: Bool { error == nil }
    var first: String? { results.last?.first }
    var rowCount: Int { results.reduce(0) { $0 + $1.rows.count } }

    /// Every text the client saw: cells, column names, command tags, COPY data, the error and notices.
    var texts: [String] {
        var out: [String] = []
        for result in results {
            out += result.columns
            out.append(result.command)
            for row in result.rows { out += row.compactMap { $0 } }
        }
        if !copyOut.isEmpty { out.append(copyOut) }
        if let error { out.append(error.message) }
        return out + notices
    }

    var summary: String {
        if let error { return "error \(error.sqlState ?? "-----"): \(error.message)" }
        return "ok \(results.map(\.command).joined(separator: ",")) rows=\(rowCount)"
    }
}

/// Collects the notices libpq receives; retained for the life of the process (tiny), so the C callback's
/// context pointer can never dangle.
final class NoticeBox: @unchecked Sendable {
    private let lock = NSLock()
    private var notices: [String] = []

    func append(_ notice: String) { lock.withLock { notices.append(notice) } }
    func take() -> [String] { lock.withLock { defer { notices.removeAll() }; return notices } }
}

/// One tenant's libpq connection through the proxy.
final class TenantClient {
    let login: TenantLogin
    let connection: PQConnection
    private let notices = NoticeBox()

    init(proxy: ProxyFixture, login: TenantLogin, extra: String = "") throws {
        self.login = login
        connection = try proxy.connect(user: login.user, password: login.password, database: login.database, extra: extra)
        let context = Unmanaged.passRetained(notices).toOpaque()
        PQsetNoticeReceiver(connection.raw, { argument, result in
            guard let argument, let result else { return }
            let box = Unmanaged<NoticeBox>.fromOpaque(argument).takeUnretainedValue()
            box.append(String(cString: PQresultErrorMessage(result)))
        }, context)
    }

    private var raw: OpaquePointer { connection.raw }

    var isBroken: Bool { PQstatus(raw) != CONNECTION_OK }
    var isInTransaction: Bool { PQtransactionStatus(raw) != PQTRANS_IDLE }

    /// Runs `sql` through one protocol and collects every result; `$n` parameters are inlined as literals for
    /// the simple protocol. COPY FROM STDIN gets `copyData` (or nothing), COPY TO STDOUT is read to the end.
    func run(_ sql: String, parameters: [String?] = [], via wire: WireProtocol, copyData: String? = nil) -> StepResult {
        var step = StepResult()
        let sent: Int32
        switch wire {
        case .simple:
            sent = PQsendQuery(raw, Self.inline(parameters, into: sql))
        case .extended:
            let copies = parameters.map { $0.map { strdup($0) } ?? nil }
            defer { copies.forEach { free($0) } }
            let pointers = copies.map { $0.map { UnsafePointer($0) } }
            sent = PQsendQueryParams(raw, sql, Int32(parameters.count), nil, pointers, nil, nil, 0)
        }
        guard sent == 1 else {
            step.error = PQError(sqlState: nil, message: "send failed: " + String(cString: PQerrorMessage(raw)))
            return step
        }
        collect(into: &step, copyData: copyData)
        step.notices = notices.take()
        return step
    }

    /// Runs `sql` through the simple protocol and throws on an error: for the test's own legitimate steps.
    @discardableResult
    func must(_ sql: String, _ parameters: [String?] = [], via wire: WireProtocol = .simple,
              file: StaticString = #filePath, line: UInt = #line) throws -> PQRows {
        let step = run(sql, parameters: parameters, via: wire)
        if let error = step.error { throw PQError(sqlState: error.sqlState, message: "\(login.name): \(sql): \(error.message)") }
        return step.results.last ?? PQRows(columns: [], rows: [], command: "")
    }

    /// Leaves any transaction an attack opened or failed.
    func rollbackIfNeeded() {
        guard !isBroken, isInTransaction else { return }
        _ = run("ROLLBACK", via: .simple)
    }

    // MARK: Prepared statements and function calls at the protocol level

    func prepare(_ name: String, _ sql: String) -> StepResult {
        consume(PQprepare(raw, name, sql, 0, nil))
    }

    func executePrepared(_ name: String, _ parameters: [String?] = []) -> StepResult {
        let copies = parameters.map { $0.map { strdup($0) } ?? nil }
        defer { copies.forEach { free($0) } }
        let pointers = copies.map { $0.map { UnsafePointer($0) } }
        return consume(PQexecPrepared(raw, name, Int32(parameters.count), pointers, nil, nil, 0))
    }

    func describePrepared(_ name: String) -> StepResult {
        consume(PQdescribePrepared(raw, name))
    }

    func describePortal(_ name: String) -> StepResult {
        consume(PQdescribePortal(raw, name))
    }

    /// A FunctionCall ('F') message through libpq's fast-path interface, with text arguments.
    func functionCall(oid: UInt32, textArguments: [String]) -> StepResult {
        var buffers = textArguments.map { Array($0.utf8) + [0] }
        var resultBuffer = [Int32](repeating: 0, count: 1024)
        var resultLength: Int32 = 0
        let result: OpaquePointer? = buffers.withUnsafeMutableBufferPointer { storage in
            var blocks = storage.indices.map { index -> PQArgBlock in
                var block = PQArgBlock()
                block.len = Int32(storage[index].count - 1)
                block.isint = 0
                block.u.ptr = storage[index].withUnsafeMutableBytes { $0.baseAddress?.assumingMemoryBound(to: Int32.self) }
                return block
            }
            return PQfn(raw, Int32(bitPattern: oid), &resultBuffer, &resultLength, 0, &blocks, Int32(blocks.count))
        }
        var step = consume(result)
        if step.error == nil, resultLength > 0 {
            let bytes = resultBuffer.withUnsafeBytes { Array($0.prefix(Int(resultLength))) }
            step.copyOut = String(decoding: bytes, as: UTF8.self)
        }
        return step
    }

    // MARK: Results

    private func collect(into step: inout StepResult, copyData: String?) {
        while let result = PQgetResult(raw) {
            defer { PQclear(result) }
            switch PQresultStatus(result) {
            case PGRES_COPY_OUT:
                step.copyOut += readCopy()
            case PGRES_COPY_IN:
                var bytes = Array((copyData ?? "").utf8)
                if !bytes.isEmpty { _ = PQputCopyData(raw, &bytes, Int32(bytes.count)) }
                _ = PQputCopyEnd(raw, nil)
            default:
                record(result, into: &step)
            }
        }
    }

    private func readCopy() -> String {
        var out = Data()
        while true {
            var buffer: UnsafeMutablePointer<CChar>?
            let count = PQgetCopyData(raw, &buffer, 0)
            guard count > 0, let buffer else { break }
            out.append(UnsafeRawPointer(buffer).assumingMemoryBound(to: UInt8.self), count: Int(count))
            PQfreemem(buffer)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private func consume(_ result: OpaquePointer?) -> StepResult {
        var step = StepResult()
        if let result {
            record(result, into: &step)
            PQclear(result)
        } else {
            step.error = PQError(sqlState: nil, message: String(cString: PQerrorMessage(raw)))
        }
        // Synchronous calls may leave further results (e.g. after an error): drain them.
        while let extra = PQgetResult(raw) { record(extra, into: &step); PQclear(extra) }
        step.notices = notices.take()
        return step
    }

    private func record(_ result: OpaquePointer, into step: inout StepResult) {
        if let rows = PQRows(result: result) {
            step.results.append(rows)
        } else if step.error == nil {
            step.error = PQError(result: result, connection: raw, details: true)
        }
    }

    /// Replaces `$n` (highest first, so `$1` does not eat `$10`) with a quoted literal or NULL.
    static func inline(_ parameters: [String?], into sql: String) -> String {
        var text = sql
        for (index, value) in parameters.enumerated().reversed() {
            let literal = value.map { "'" + $0.replacingOccurrences(of: "'", with: "''") + "'" } ?? "NULL"
            text = text.replacingOccurrences(of: "$\(index + 1)", with: literal)
        }
        return text
    }
}

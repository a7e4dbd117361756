// Puts every Query, Parse and FunctionCall of a tenant's client through the SQL gate before it can reach a server.

import BulkheadSQL
import BulkheadSession
import BulkheadWire
import NIOCore

/// What becomes of one client message of a tenant.
enum TenantScreenResult {
    /// Not a message that carries SQL: forward as it is.
    case unchanged
    /// Forward this instead: the statement text the gate approved (rewritten where the tenant's rows must be confined).
    case replaced(Frame)
    /// Refuse it; the server raises this error in its place.
    case refused(StartupCheck.Refusal)
}

/// Applies the tenant gate to client messages.
///
/// Approved text is always re-encoded from what the gate checked, never forwarded as the client's raw bytes,
/// so the server runs exactly the statement that was analysed.
enum TenantScreen {
    static func screen(_ frame: Frame, tenant: TenantPlan, gate: GateCache) -> TenantScreenResult {
        switch frame.type {
        case MessageType.Frontend.query:
            guard case .query(let sql)? = try? FrontendMessage.decode(frame) else { return .refused(malformed) }
            switch gate.check(sql, policy: tenant.policy) {
            case .success(let verdict): return .replaced(Frame(uncheckedRaw: FrontendMessage.query(verdict.sql).encodedFrame))
            case .failure(let refusal): return .refused(Self.refusal(refusal))
            }
        case MessageType.Frontend.parse:
            guard case .parse(var parse)? = try? FrontendMessage.decode(frame) else { return .refused(malformed) }
            switch gate.check(parse.query, policy: tenant.policy) {
            case .success(let verdict):
                parse.query = verdict.sql
                return .replaced(Frame(uncheckedRaw: FrontendMessage.parse(parse).encodedFrame))
            case .failure(let refusal):
                return .refused(Self.refusal(refusal))
            }
        case MessageType.Frontend.functionCall:
            return .refused(StartupCheck.Refusal(sqlState: SQLState.insufficientPrivilege,
                                                 message: "bulkhead: the FunctionCall message is not allowed for tenant \(tenant.name)"))
        default:
            return .unchanged
        }
    }

    private static let malformed = StartupCheck.Refusal(sqlState: SQLState.protocolViolation, message: "bulkhead: malformed message")

    private static func refusal(_ refusal: GateRefusal) -> StartupCheck.Refusal {
        StartupCheck.Refusal(sqlState: refusal.sqlState, message: refusal.message, position: refusal.position)
    }
}

// A change of a node's state worth one log line.

/// Something that changed in the cluster, attached to the node it concerns, ready to log.
///
/// Ordinary changes belong at info level; ``isAlarm`` marks the ones an operator must act on.
public struct TopologyEvent: Sendable, Hashable, CustomStringConvertible {
    /// The kinds of change.
    public enum Change: Sendable, Hashable {
        /// First successful check, or the first one after being down.
        case up(ObservedRole)
        case down(NodeFailure)
        /// A replica fell further behind than `max_replica_lag` and left the rotation.
        case lagging(Duration)
        /// A lagging replica caught up and is back in rotation.
        case recovered
        /// A node that reported being a primary now reports being in recovery.
        case demoted
        /// A node reports a role its fixed configured role forbids; it gets no traffic.
        case roleConflict(configured: ConfiguredRole, observed: ObservedRole)
        /// The node is now the primary that takes writes; `previous` is the one before it, if any.
        case promoted(previous: String?)
        /// The node no longer takes writes and there is no primary: writes wait.
        case primaryLost
        /// The node claims to be a primary while others did at their last check: writes wait for the next check.
        case contested(incumbents: [String])
        /// The node and `others` all claim to be primary, confirmed by their checks: writes are refused.
        case splitBrain(others: [String])
        /// At most one node claims to be primary again.
        case splitBrainEnded(others: [String])
    }

    public var node: NodeID
    public var name: String
    public var change: Change

    public init(node: NodeID, name: String, change: Change) {
        self.node = node
        self.name = name
        self.change = change
    }

    /// True for changes that need an operator: log them at warning level or above.
    public var isAlarm: Bool {
        switch change {
        case .roleConflict, .primaryLost, .splitBrain: return true
        default: return false
        }
    }

    public var description: String {
        switch change {
        case .up(let role):
            return "node \(name) is up as \(role.rawValue)"
        case .down(let failure):
            return "node \(name) is down: \(failure)"
        case .lagging(let lag):
            return "node \(name) is lagging \(DurationText.seconds(lag)) behind; out of rotation until it catches up"
        case .recovered:
            return "node \(name) caught up; back in rotation"
        case .demoted:
            return "node \(name) is in recovery now, no longer a primary"
        case .roleConflict(.replica, _):
            return "node \(name) is configured as replica but reports being a primary; it gets no traffic "
                + "(role = \"auto\" follows failovers)"
        case .roleConflict(let configured, let observed):
            return "node \(name) is configured as \(configured.rawValue) but reports being \(observed.rawValue); "
                + "it gets no traffic"
        case .promoted(let previous?):
            return "node \(name) is the primary now (was \(previous))"
        case .promoted(nil):
            return "node \(name) is the primary"
        case .primaryLost:
            return "node \(name) is no longer the primary; writes wait for one"
        case .contested(let incumbents):
            return "node \(name) claims to be primary while \(Self.list(incumbents)) did at the last check; "
                + "writes wait until the next check settles it"
        case .splitBrain(let others):
            return "SPLIT BRAIN: node \(name) and \(Self.list(others)) all claim to be primary; "
                + "writes are refused until only one does"
        case .splitBrainEnded(let others):
            return "split brain over: node \(name) and \(Self.list(others)) no longer all claim to be primary"
        }
    }

    static func list(_ names: [String]) -> String {
        names.count == 1 ? "node \(names[0])" : "nodes " + names.joined(separator: ", ")
    }
}

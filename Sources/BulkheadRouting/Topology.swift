// The state machine over all nodes: health, roles, the primary, the read rotation and failover.

/// Every node's health and which node takes writes, as a pure value.
///
/// The owner feeds it health-check results, on-demand replay checks and pool failures, each with the current time,
/// and logs the returned ``TopologyUpdate``. It performs no I/O and reads no clock, so failovers, lag and split brain
/// are tested without a cluster or sleeping. Because every successful check is applied at once, a promoted replica
/// is recognised by the first check after the old primary's failure is known: within two check intervals.
public struct Topology: Sendable {
    public typealias Instant = ContinuousClock.Instant

    public let settings: TopologySettings
    /// Every node, indexed by ``NodeID/rawValue``.
    public private(set) var nodes: [NodeHealth]
    /// Where writes go, or why they cannot.
    public private(set) var primaryState: PrimaryState = .absent(reason: "no node checked yet")
    /// Replicas that may take reads, in node order.
    public private(set) var replicas: [NodeID] = []
    /// The last node that was elected, so a promotion's log line can name the primary it replaces.
    private var lastElected: NodeID?

    public init(nodes: [RoutingNode], settings: TopologySettings = TopologySettings()) {
        self.settings = settings
        self.nodes = nodes.enumerated().map { NodeHealth(id: NodeID($0.offset), node: $0.element) }
    }

    /// The node writes go to now; nil while there is none (writes wait) or in split brain (writes are refused).
    /// Stored apart from ``primaryState`` so the per-statement path reads it without copying reasons and lists.
    public private(set) var primary: NodeID?

    /// The node's record. Traps on an ID this topology did not hand out, which is a programming error.
    public subscript(node: NodeID) -> NodeHealth { nodes[node.rawValue] }

    /// The ID of the node with this configured name.
    public func node(named name: String) -> NodeID? {
        nodes.first { $0.name == name }?.id
    }

    // MARK: Inputs

    /// A health check answered.
    public mutating func probeSucceeded(_ node: NodeID, _ result: ProbeResult, now: Instant) -> TopologyUpdate {
        var primaryWAL: LSN?
        if let primary, primary != node { primaryWAL = nodes[primary.rawValue].walLSN }
        let maxLag = settings.maxReplicaLag
        return apply(to: [node]) { $0.record(result, primaryWAL: primaryWAL, maxLag: maxLag, now: now) }
    }

    /// A health check failed or timed out, or the pool failed to connect or lost a connection: the node is out at once.
    public mutating func nodeFailed(_ node: NodeID, _ failure: NodeFailure, now: Instant) -> TopologyUpdate {
        apply(to: [node]) { $0.record(failure) }
    }

    /// An on-demand freshness check found the replica replayed up to `lsn`.
    public mutating func replayObserved(_ node: NodeID, lsn: LSN, now: Instant) {
        guard nodes.indices.contains(node.rawValue) else { return }
        nodes[node.rawValue].recordReplay(lsn, now: now)
    }

    /// Time passed: nodes whose checks have not succeeded for ``TopologySettings/unconfirmedAfter`` go down.
    public mutating func tick(now: Instant) -> TopologyUpdate {
        let limit = settings.unconfirmedAfter
        let stale = nodes.filter { node in
            guard node.isReachable, let confirmed = node.lastConfirmed else { return false }
            return now - confirmed >= limit
        }
        return apply(to: stale.map(\.id)) { node in
            node.record(.unconfirmed(now - (node.lastConfirmed ?? now)))
        }
    }

    // MARK: Derivation

    private mutating func apply(to ids: [NodeID], _ body: (inout NodeHealth) -> Void) -> TopologyUpdate {
        var update = TopologyUpdate()
        for id in ids where nodes.indices.contains(id.rawValue) {
            let old = nodes[id.rawValue]
            body(&nodes[id.rawValue])
            for change in nodes[id.rawValue].changes(since: old) {
                update.events.append(TopologyEvent(node: id, name: old.name, change: change))
            }
        }
        refresh(into: &update)
        return update
    }

    private mutating func refresh(into update: inout TopologyUpdate) {
        let newReplicas = nodes.filter(\.isInRotation).map(\.id)
        if newReplicas != replicas {
            replicas = newReplicas
            update.rotationChanged = true
        }
        let old = primaryState
        let new = PrimaryElection.elect(nodes, previous: old)
        primaryState = new
        primary = new.primary
        guard new != old else { return }
        update.primaryChanged = old.primary != new.primary
        update.events += transitionEvents(from: old, to: new)
        if let elected = new.primary { lastElected = elected }
    }

    private func transitionEvents(from old: PrimaryState, to new: PrimaryState) -> [TopologyEvent] {
        var events: [TopologyEvent] = []
        if case .splitBrain(let before) = old {
            if case .splitBrain = new {} else if let anchor = new.primary ?? before.first {
                events.append(event(anchor, .splitBrainEnded(others: names(before.filter { $0 != anchor }))))
            }
        }
        switch new {
        case .elected(let node):
            let previous = lastElected.flatMap { $0 == node ? nil : nodes[$0.rawValue].name }
            events.append(event(node, .promoted(previous: previous)))
        case .absent:
            if let lost = old.primary { events.append(event(lost, .primaryLost)) }
        case .contested(let claimants):
            if case .contested = old { break }
            if let lost = old.primary, !claimants.contains(lost) { events.append(event(lost, .primaryLost)) }
            if let newest = PrimaryElection.newestClaimant(claimants, in: nodes) {
                events.append(event(newest, .contested(incumbents: names(claimants.filter { $0 != newest }))))
            }
        case .splitBrain(let claimants):
            if case .splitBrain = old { break }
            if let newest = PrimaryElection.newestClaimant(claimants, in: nodes) {
                events.append(event(newest, .splitBrain(others: names(claimants.filter { $0 != newest }))))
            }
        }
        return events
    }

    private func event(_ node: NodeID, _ change: TopologyEvent.Change) -> TopologyEvent {
        TopologyEvent(node: node, name: nodes[node.rawValue].name, change: change)
    }

    func names(_ ids: [NodeID]) -> [String] {
        ids.map { nodes[$0.rawValue].name }
    }
}

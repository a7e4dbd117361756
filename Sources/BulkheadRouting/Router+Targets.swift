// Resolves what a statement needs (primary, a read target, a replica) into a concrete target.

extension Router {
    /// The primary, or a wait for one, or the error once waiting is over or pointless.
    /// `retryAt` brings an earlier re-route, when a replica may become worth checking before the deadline.
    func primaryTarget(waitingSince: Instant, now: Instant, retryAt: Instant? = nil) -> RouteTarget {
        if let primary = topology.primary { return .node(primary) }
        let reason: String
        switch topology.primaryState {
        case .elected(let node):
            return .node(node)
        case .splitBrain(let claimants):
            return .fail(.splitBrain(nodes: topology.names(claimants)))
        case .contested(let claimants):
            reason = "\(TopologyEvent.list(topology.names(claimants))) claim to be primary; waiting for their checks"
        case .absent(let why):
            reason = why
        }
        let deadline = waitingSince.advanced(by: topology.settings.primaryWaitTimeout)
        guard now < deadline else { return .fail(.noPrimary(waited: now - waitingSince, reason: reason)) }
        return .wait(until: min(deadline, retryAt ?? deadline))
    }

    /// A replica that can see `requirement` (or the primary when it takes reads), balanced; otherwise a freshness
    /// check of the most promising replica; otherwise the primary.
    mutating func readTarget(
        requirement: ReadRequirement?, primaryReads: Bool, waitingSince: Instant, now: Instant, using random: inout RoutingRandom
    ) -> RouteTarget {
        let primary = topology.primary
        let chosen = pickCandidate(using: &random) { router, buffer in
            for node in router.topology.replicas where router.isFresh(node, for: requirement) {
                buffer.append(router.candidate(node))
            }
            if primaryReads, let primary { buffer.append(router.candidate(primary)) }
        }
        if let chosen { return .node(chosen) }
        guard let requirement else { return primaryTarget(waitingSince: waitingSince, now: now) }
        if let node = replicaToCheck(for: requirement, now: now) { return .checkReplica(node, needs: requirement.lsn) }
        return primaryTarget(waitingSince: waitingSince, now: now, retryAt: nextCheckTime())
    }

    /// Any healthy replica, balanced, freshness aside.
    mutating func replicaTarget(using random: inout RoutingRandom) -> RouteTarget {
        let chosen = pickCandidate(using: &random) { router, buffer in
            for node in router.topology.replicas { buffer.append(router.candidate(node)) }
        }
        return chosen.map(RouteTarget.node) ?? .fail(.noReplica)
    }

    /// Balances over the candidates `fill` lists, in the reused buffer: it is moved out of `self` while filled
    /// so that it stays uniquely referenced and appending never copies or allocates.
    private mutating func pickCandidate(
        using random: inout RoutingRandom, _ fill: (Router, inout [ReadCandidate]) -> Void
    ) -> NodeID? {
        var buffer: [ReadCandidate] = []
        swap(&buffer, &candidates)
        buffer.removeAll(keepingCapacity: true)
        fill(self, &buffer)
        let chosen = ReadBalancer.pick(from: buffer, using: &random)?.node
        swap(&buffer, &candidates)
        return chosen
    }

    private func candidate(_ node: NodeID) -> ReadCandidate {
        ReadCandidate(node: node, weight: topology.nodes[node.rawValue].weight, inUse: usage[node.rawValue].inUse)
    }

    /// Known to have replayed what the read must see. An unknown replay position never counts as fresh.
    private func isFresh(_ node: NodeID, for requirement: ReadRequirement?) -> Bool {
        guard let requirement else { return true }
        guard let replay = topology.nodes[node.rawValue].replayLSN else { return false }
        return replay >= requirement.lsn
    }

    /// The replica furthest ahead among those worth asking: last observed before the write was recorded (so the
    /// observation could not show it), or long enough ago. Ties go to the less loaded, then the lower ID.
    private func replicaToCheck(for requirement: ReadRequirement, now: Instant) -> NodeID? {
        let spacing = topology.settings.freshnessCheckSpacing
        var best: NodeID?
        for node in topology.replicas {
            let health = topology[node]
            if let observed = health.replayObservedAt, observed >= requirement.recordedAt, now - observed < spacing {
                continue
            }
            guard let current = best else {
                best = node
                continue
            }
            let (lhs, rhs) = (health.replayLSN ?? .zero, topology[current].replayLSN ?? .zero)
            if lhs > rhs || (lhs == rhs && usage[node.rawValue].inUse < usage[current.rawValue].inUse) { best = node }
        }
        return best
    }

    /// When the first replica in rotation becomes worth checking again.
    private func nextCheckTime() -> Instant? {
        let spacing = topology.settings.freshnessCheckSpacing
        return topology.replicas.compactMap { topology[$0].replayObservedAt?.advanced(by: spacing) }.min()
    }
}

// Decides from all nodes' health which node takes writes, and when claims collide.

/// The rule that turns every node's claims into a ``PrimaryState``.
enum PrimaryElection {
    static func elect(_ nodes: [NodeHealth], previous: PrimaryState) -> PrimaryState {
        let claimants = nodes.filter(\.claimsPrimary)
        guard let first = claimants.first else { return .absent(reason: reasonForNoClaimant(nodes)) }
        if claimants.count == 1 {
            guard first.configuredRole != .replica else {
                return .absent(reason: "node \(first.name) reports being a primary but is configured as replica "
                    + "(role = \"auto\" follows failovers)")
            }
            return .elected(first.id)
        }
        let ids = claimants.map(\.id)
        if case .splitBrain = previous { return .splitBrain(claimants: ids) }
        // A collision is only real once every claimant has answered again after the newest claim appeared;
        // until then the older claim may come from a primary that has died since its last check.
        let newestClaim = claimants.compactMap(\.claimingPrimarySince).max()
        let allReconfirmed = claimants.allSatisfy { claimant in
            guard let newestClaim, let confirmed = claimant.lastConfirmed else { return false }
            return confirmed >= newestClaim
        }
        return allReconfirmed ? .splitBrain(claimants: ids) : .contested(claimants: ids)
    }

    private static func reasonForNoClaimant(_ nodes: [NodeHealth]) -> String {
        let states = nodes.map { node -> String in
            if node.hasRoleConflict { return "\(node.name): in recovery but configured as primary" }
            switch node.status {
            case .unknown: return "\(node.name): not checked yet"
            case .down: return "\(node.name): down (\(node.failure.map(String.init(describing:)) ?? "unknown"))"
            case .up, .lagging: return "\(node.name): in recovery"
            }
        }
        return "no node reports being a primary (" + states.joined(separator: "; ") + ")"
    }

    /// The claimant whose claim is the most recent, to attach collision events to.
    static func newestClaimant(_ claimants: [NodeID], in nodes: [NodeHealth]) -> NodeID? {
        claimants.max { lhs, rhs in
            let left = nodes[lhs.rawValue].claimingPrimarySince
            let right = nodes[rhs.rawValue].claimingPrimarySince
            switch (left, right) {
            case let (left?, right?): return left < right || (left == right && lhs < rhs)
            case (nil, _?): return true
            default: return false
            }
        }
    }
}

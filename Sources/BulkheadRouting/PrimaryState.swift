// Whether writes have somewhere to go.

/// The cluster's primary as far as routing is concerned.
public enum PrimaryState: Sendable, Hashable {
    /// Exactly one usable node claims to be primary: writes go there.
    case elected(NodeID)
    /// No usable primary: writes wait up to `primary_wait_timeout`. The reason is for the error message.
    case absent(reason: String)
    /// Several nodes claim to be primary but not all claims have been re-checked since the newest appeared,
    /// as in a failover where the old primary's failure is not yet known: writes wait for the next check.
    case contested(claimants: [NodeID])
    /// Several nodes claim to be primary, each confirmed after the others: writes are refused, never split.
    case splitBrain(claimants: [NodeID])

    /// The node writes go to, if any.
    public var primary: NodeID? {
        if case .elected(let node) = self { return node }
        return nil
    }
}

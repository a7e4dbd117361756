// Generic depth-first traversal of parse trees, shared by the classifier and the tenant gate.

extension SQLNode {
    /// Visits this node and every node below it, in every field, whatever the kinds.
    /// Returning false from `body` stops descending below that node.
    public func walk(_ body: (SQLNode) -> Bool) {
        guard body(self) else { return }
        for field in fieldList { field.value.walk(body) }
    }

    /// True when any node of the subtree (this one included) satisfies the predicate.
    public func contains(where predicate: (SQLNode) -> Bool) -> Bool {
        var found = false
        walk { node in
            if found { return false }
            if predicate(node) { found = true }
            return !found
        }
        return found
    }

    /// True when the subtree holds a value the tree builder could not type.
    var containsUntyped: Bool {
        fieldList.contains { $0.value.containsUntyped }
    }
}

extension SQLValue {
    /// Visits every node reachable from this value.
    public func walk(_ body: (SQLNode) -> Bool) {
        switch self {
        case .node(let node): node.walk(body)
        case .list(let items): for item in items { item.walk(body) }
        default: break
        }
    }

    var containsUntyped: Bool {
        switch self {
        case .untyped: return true
        case .node(let node): return node.containsUntyped
        case .list(let items): return items.contains { $0.containsUntyped }
        default: return false
        }
    }
}

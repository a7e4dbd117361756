// A fixed-capacity least-recently-used map, the storage behind GateCache (not thread-safe by itself).

/// Entries live in arrays linked by index, so a hit moves an entry to the front without allocating.
struct LRUStore<Key: Hashable, Value> {
    private struct Entry {
        var key: Key
        var value: Value
        var newer: Int
        var older: Int
    }

    private var slots: [Key: Int] = [:]
    private var entries: [Entry] = []
    private var newest = -1
    private var oldest = -1
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        slots.reserveCapacity(self.capacity)
    }

    var count: Int { slots.count }

    mutating func value(for key: Key) -> Value? {
        guard let index = slots[key] else { return nil }
        moveToFront(index)
        return entries[index].value
    }

    mutating func insert(_ value: Value, for key: Key) {
        if let index = slots[key] {
            entries[index].value = value
            moveToFront(index)
            return
        }
        if entries.count < capacity {
            entries.append(Entry(key: key, value: value, newer: -1, older: -1))
            link(entries.count - 1)
            slots[key] = entries.count - 1
            return
        }
        // Reuse the least recently used slot.
        let index = oldest
        unlink(index)
        slots[entries[index].key] = nil
        entries[index].key = key
        entries[index].value = value
        link(index)
        slots[key] = index
    }

    mutating func removeAll() {
        slots.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
        newest = -1
        oldest = -1
    }

    private mutating func moveToFront(_ index: Int) {
        guard index != newest else { return }
        unlink(index)
        link(index)
    }

    private mutating func unlink(_ index: Int) {
        let newer = entries[index].newer, older = entries[index].older
        if newer >= 0 { entries[newer].older = older } else { newest = older }
        if older >= 0 { entries[older].newer = newer } else { oldest = newer }
        entries[index].newer = -1
        entries[index].older = -1
    }

    private mutating func link(_ index: Int) {
        entries[index].older = newest
        entries[index].newer = -1
        if newest >= 0 { entries[newest].newer = index }
        newest = index
        if oldest < 0 { oldest = index }
    }
}

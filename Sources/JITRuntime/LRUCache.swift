// A bounded map that forgets its least recently used entry when full. Entries live in an array
// threaded by a doubly linked recency list (indices, no reference cycles); lookups, insertions
// and evictions are O(1). Not thread-safe: JIT and Engine guard theirs with a lock.

/// A bounded map that forgets its least recently used entry when full.
public struct LRUCache<Key: Hashable, Value> {
    private struct Entry {
        var key: Key
        var value: Value
        var newer: Int
        var older: Int
    }

    private var entries: [Entry] = []
    private var slots: [Key: Int] = [:]
    /// Most and least recently used entries (-1: none).
    private var newest = -1
    private var oldest = -1
    /// Entries dropped to make room, since creation.
    public private(set) var evictions = 0

    /// Most entries kept (at least 1); lowering it drops the least recently used at once.
    public var capacity: Int {
        didSet {
            capacity = max(1, capacity)
            if slots.count > capacity {
                let keep = recencyOrder().prefix(capacity).map { (entries[$0].key, entries[$0].value) }
                evictions += slots.count - capacity
                removeAll()
                for (k, v) in keep.reversed() { insert(k, v) }
            }
        }
    }

    public init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Entries held.
    public var count: Int { slots.count }

    /// The value for `key`, which becomes the most recently used.
    public mutating func value(for key: Key) -> Value? {
        guard let i = slots[key] else { return nil }
        moveToFront(i)
        return entries[i].value
    }

    /// Stores `value` as the most recently used entry, evicting the least recently used if full.
    public mutating func insert(_ key: Key, _ value: Value) {
        if let i = slots[key] {
            entries[i].value = value
            moveToFront(i)
            return
        }
        let i: Int
        if slots.count >= capacity {
            i = oldest
            unlink(i)
            slots[entries[i].key] = nil
            entries[i] = Entry(key: key, value: value, newer: -1, older: -1)
            evictions += 1
        } else {
            i = entries.count
            entries.append(Entry(key: key, value: value, newer: -1, older: -1))
        }
        slots[key] = i
        linkAtFront(i)
    }

    /// Forgets every entry.
    public mutating func removeAll() {
        entries.removeAll()
        slots.removeAll()
        newest = -1
        oldest = -1
    }

    /// Entry indices from the most to the least recently used.
    private func recencyOrder() -> [Int] {
        var order: [Int] = []
        var i = newest
        while i >= 0 { order.append(i); i = entries[i].older }
        return order
    }

    private mutating func moveToFront(_ i: Int) {
        guard i != newest else { return }
        unlink(i)
        linkAtFront(i)
    }

    private mutating func unlink(_ i: Int) {
        let (n, o) = (entries[i].newer, entries[i].older)
        if n >= 0 { entries[n].older = o } else { newest = o }
        if o >= 0 { entries[o].newer = n } else { oldest = n }
        entries[i].newer = -1
        entries[i].older = -1
    }

    private mutating func linkAtFront(_ i: Int) {
        entries[i].older = newest
        entries[i].newer = -1
        if newest >= 0 { entries[newest].newer = i }
        newest = i
        if oldest < 0 { oldest = i }
    }
}

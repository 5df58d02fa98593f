/// The batched rows of consecutive appends, gathered into one run per projector, in the order the projectors first
/// appear: each run becomes one statement, in the one-statement way and under the lock alike.
struct ProjectorRuns {
    private(set) var runs: [(rows: [BatchedRow], contexts: [AppendContext], indices: [Int])] = []
    private var slotOfGroup: [String: Int] = [:]
    /// The rows changed so far (conflict keys), none of which another row of these runs may change.
    private var keys: Set<String> = []

    /// Whether `rows` change no row these runs already change.
    func accepts(_ rows: [BatchedRow]) -> Bool {
        rows.allSatisfy { row in row.conflictKey.map { !keys.contains($0) } ?? true }
    }

    /// Adds the rows of the append at `index` of its batch.
    mutating func add(_ rows: [BatchedRow], context: AppendContext, index: Int) {
        for row in rows {
            let slot = slotOfGroup[row.group] ?? runs.count
            if slot == runs.count {
                runs.append(([], [], []))
                slotOfGroup[row.group] = slot
            }
            runs[slot].rows.append(row)
            runs[slot].contexts.append(context)
            runs[slot].indices.append(index)
            if let key = row.conflictKey { keys.insert(key) }
        }
    }
}

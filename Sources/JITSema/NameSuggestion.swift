/// "Did you mean" suggestions by edit distance.
public enum NameSuggestion {
    /// The closest candidate within a small edit distance, if any.
    public static func closest(to name: String, in candidates: [String]) -> String? {
        let limit = min(2, (name.count + 1) / 3)
        guard limit > 0 else { return nil }
        // Closest first; ties go to the longer common prefix, then the shorter name.
        func prefix(_ c: String) -> Int { zip(name, c).prefix { $0 == $1 }.count }
        // Names whose lengths differ by more than the limit are never that close: skip the
        // quadratic distance for them (a fuzzed 8 KB identifier made this the hot spot).
        let length = name.count
        let ranked = candidates.filter { abs($0.count - length) <= limit }
            .map { (c: $0, d: distance(name, $0)) }.filter { $0.d <= limit }
            .sorted { ($0.d, -prefix($0.c), $0.c.count, $0.c) < ($1.d, -prefix($1.c), $1.c.count, $1.c) }
        return ranked.first?.c
    }

    /// Levenshtein distance (with adjacent transposition counted as one edit).
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}

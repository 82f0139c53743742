# W13: the bump finder (pv_locations). Each row of x is scanned for runs of samples with
# x >= threshold; a run of width >= min_width whose integral (sum of its samples, in f64)
# is >= integral_threshold is a bump, located at its weighted centre
# sum(i * x[i]) / sum(x[i]) over the run (i = column).
# Result: a rows x k f64 array, row r holding the centres of row r's first k bumps in order,
# padded with NaN (the benchmark's layout, k = 32); bumps beyond k are dropped.
kernel pv_locations(x: f32[,], threshold: f64, integral_threshold: f64, min_width: i64, k: i64) -> f64[,] {
    let rows = x.shape[0]
    let n = x.shape[1]
    let out = full(rows, k, value=0.0/0.0)
    parallel for r in 0..<rows {
        var count = 0
        var inrun = false
        var integral = 0.0
        var weighted = 0.0
        var start = 0
        for i in 0..<n + 1 {
            var v = 0.0
            var above = false
            if i < n {
                v = x[r, i]
                above = v >= threshold
            }
            if above {
                if ~inrun {
                    inrun = true
                    start = i
                    integral = 0.0
                    weighted = 0.0
                }
                integral += v
                weighted += v * i
            } else if inrun {
                inrun = false
                if (i - start >= min_width) & (integral >= integral_threshold) & (count < k) {
                    out[r, count] = weighted / integral
                    count += 1
                }
            }
        }
    }
    return out
}

# W4: ragged sum. Rows are X[jind[i]..<jind[i+1]] (the last entry of jind is len(X));
# sum_i sum_{j in row i} atan(X[j]*i*j), with i the row number and j the global index.
kernel ragged_sum(X: f64[], jind: i64[]) -> f64 {
    var s = 0.0
    parallel for i in 0..<len(jind) - 1 {
        for j in jind[i]..<jind[i + 1] {
            s += arctan(X[j] * i * j)
        }
    }
    return s
}

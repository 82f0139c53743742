# W9: a + sum_i tanh(a[i, i]), a new array.
kernel add_trace(a: f64[,]) -> f64[,] {
    var t = 0.0
    parallel for i in 0..<min(a.shape[0], a.shape[1]) {
        t += tanh(a[i, i])
    }
    let out = empty_like(a)
    parallel for i in 0..<a.shape[0] {
        for j in 0..<a.shape[1] {
            out[i, j] = a[i, j] + t
        }
    }
    return out
}

# R2, R3: min/max reductions in kernel loops (issue 15), over 2^24 float64. NaN propagates as in
# NumPy's x.max(): one NaN anywhere makes the result NaN. In relaxed and fast mode the loops
# vectorize on every supported LLVM (docs/kernels.md, "Math modes").
kernel max_loop(x: f64[]) -> f64 {
    var m = -inf
    parallel for i in 0..<len(x) { m = max(m, x[i]) }
    return m
}

kernel min_abs_loop(x: f64[]) -> f64 {
    var m = inf
    parallel for i in 0..<len(x) { m = min(m, abs(x[i])) }
    return m
}

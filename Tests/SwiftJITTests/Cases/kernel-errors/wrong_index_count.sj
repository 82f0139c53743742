kernel f(m: f64[,]) -> f64 {
    return m[0]
}

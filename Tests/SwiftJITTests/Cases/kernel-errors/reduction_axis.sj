kernel colsum(m: f64[,]) -> f64 {
    return sum(m, axis=0)
}

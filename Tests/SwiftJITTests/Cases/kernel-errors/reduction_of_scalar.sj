kernel s(a: f64) -> f64 {
    return sum(a)
}

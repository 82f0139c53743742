kernel f(x: f64) -> f64 {
    return sqrtt(x)
}

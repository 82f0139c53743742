kernel f(x: f64) -> f64 {
    if x > 0 { break }
    return x
}

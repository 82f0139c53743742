kernel f(x: i64) -> f64 {
    return x
}

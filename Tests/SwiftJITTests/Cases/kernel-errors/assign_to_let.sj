kernel f(x: f64) -> f64 {
    let y = x
    y = y * 2
    return y
}

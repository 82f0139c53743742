kernel f(x: f64[]) -> f64 {
    var s = 0.0
    s += x
    return s
}

kernel f(x: f64) -> i64 {
    var n = 0
    n = x * 2
    return n
}

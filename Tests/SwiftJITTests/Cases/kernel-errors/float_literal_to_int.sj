kernel k(x: f64) -> i64 {
    var n = 0
    n = 2.5
    return n
}

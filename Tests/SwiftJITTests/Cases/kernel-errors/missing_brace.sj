kernel f(n: i64) -> i64 {
    var s = 0
    for i in 0..<n {
        s += i
    return s
}

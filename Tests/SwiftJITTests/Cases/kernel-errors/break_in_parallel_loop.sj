kernel k(x: f64[]) -> f64 {
    var s = 0.0
    parallel for i in 0..<len(x) {
        if x[i] < 0.0 { break }
        s += x[i]
    }
    return s
}

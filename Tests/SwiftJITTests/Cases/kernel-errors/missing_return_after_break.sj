kernel first_big(x: f64[]) -> i64 {
    var i = 0
    while true {
        if x[i] > 10 { break }
        if i == len(x) - 1 { return -1 }
        i += 1
    }
}

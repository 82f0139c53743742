kernel k(a: i32) -> i64 {
    var v = a * abs(2)
    v += 1099511627776 * max(-1, 2147483648)
    return v
}

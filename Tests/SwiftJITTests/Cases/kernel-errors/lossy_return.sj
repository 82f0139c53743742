kernel half(n: i64) -> i64 {
    return n / 2
}

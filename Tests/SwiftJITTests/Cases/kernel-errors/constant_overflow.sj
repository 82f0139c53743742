kernel big(x: f64) -> i64 {
    return 2**63
}

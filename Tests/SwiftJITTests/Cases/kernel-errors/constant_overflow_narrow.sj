kernel k(n: i64) -> u8 {
    let mask = u8(0) - 1
    return mask
}

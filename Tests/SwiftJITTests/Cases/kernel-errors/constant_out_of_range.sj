kernel small(x: f64) -> u8 {
    let v: u8 = 200 + 100
    return v
}

kernel f(z: c128) -> bool {
    return z < 1
}

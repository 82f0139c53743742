kernel f(z: c128) -> bool {
    return floor(z) == z
}

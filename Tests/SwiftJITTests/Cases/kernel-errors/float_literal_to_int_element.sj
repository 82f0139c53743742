kernel k(a: i64[]) -> i64[] {
    a[0] = 2.5
    return a
}

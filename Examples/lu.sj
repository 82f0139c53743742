# W10: Doolittle LU elimination without pivoting, in place on a copy of the n x n matrix M;
# returns the product of the pivots (the determinant of M). M should be diagonally dominant.
kernel lu_pivot_product(M: f64[,]) -> f64 {
    let n = M.shape[0]
    let A = empty(n, n)
    for i in 0..<n {
        for j in 0..<n {
            A[i, j] = M[i, j]
        }
    }
    for k in 0..<n - 1 {
        let piv = A[k, k]
        parallel for i in k + 1..<n {
            let l = A[i, k] / piv
            A[i, k] = l
            for j in k + 1..<n {
                A[i, j] -= l * A[k, j]
            }
        }
    }
    var p = 1.0
    for k in 0..<n {
        p *= A[k, k]
    }
    return p
}

# W3: 100 Gaussians A[i]*exp(-(x-x0[i])**2/(2*w[i]**2)) evaluated on x, one row each, as a loop.
# gaussians(x: n points, A, x0, w: k parameters each) -> k x n
kernel gaussians(x: f64[], A: f64[], x0: f64[], w: f64[]) -> f64[,] {
    let out = empty(len(A), len(x))
    parallel for i in 0..<len(A) {
        let a = A[i]
        let c = x0[i]
        let s = w[i]
        for j in 0..<len(x) {
            out[i, j] = a*exp(-(x[j]-c)**2/(2*s**2))
        }
    }
    return out
}

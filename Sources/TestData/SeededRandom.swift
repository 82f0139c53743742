// The one seeded generator of tests, benchmarks and examples: xorshift64* with uniform, integer
// and normal (Box-Muller) draws. The same seed gives the same numbers on every machine, so inputs
// are reproducible; it is not the kernel language's generator (CJITSupport's xoshiro256**).
import Foundation

/// A fixed-seed generator (xorshift64*) with uniform, integer and normal draws.
public struct SeededRandom: Sendable {
    /// The generator's state; never 0.
    public var state: UInt64

    /// A generator started from `seed` (0 is replaced by a fixed non-zero constant).
    public init(seed: UInt64) { state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }

    /// Uniform in [0, 1), from the top 53 bits.
    public mutating func uniform() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [lo, hi).
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * uniform() }

    /// Uniform integer in lo...hi.
    public mutating func integer(_ lo: Int, _ hi: Int) -> Int { lo + Int(next() % UInt64(hi - lo + 1)) }

    /// Normal with mean `mu` and standard deviation `sigma` (Box-Muller, one draw per two uniforms).
    public mutating func normal(_ mu: Double = 0, _ sigma: Double = 1) -> Double {
        let u1 = max(uniform(), 0x1p-53), u2 = uniform()
        return mu + sigma * (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }
}

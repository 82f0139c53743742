// Fuzz target `npy`: bytes -> NPY.read; an accepted array is encoded again and read back, and
// must come back with the same dtype, shape and bytes.
import JITRuntime

enum NPYFuzz {
    @Sendable static func run(_ bytes: [UInt8]) -> FuzzOutcome {
        outcome {
            let a = try NPY.read(bytes: bytes, name: "fuzz.npy")
            let again = try NPY.read(bytes: NPY.encode(a), name: "roundtrip.npy")
            guard again.dtype == a.dtype, again.shape == a.shape, NPY.encode(again) == NPY.encode(a) else {
                preconditionFailure("npy round trip changed the array: \(a.dtype) \(a.shape) -> \(again.dtype) \(again.shape)")
            }
        }
    }
}

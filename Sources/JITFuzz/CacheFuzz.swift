// Fuzz target `cache`: bytes -> DiskCache.decode, the check every object-cache file passes before
// its object is linked. An accepted entry is encoded again and must decode to the same key and
// object (so what is verified is exactly what is loaded).
import JITRuntime

enum CacheFuzz {
    @Sendable static func run(_ bytes: [UInt8]) -> FuzzOutcome {
        outcome {
            let entry = try DiskCache.decode(bytes)
            let again = try DiskCache.decode(DiskCache.encode(key: entry.key, object: entry.object))
            guard again.key == entry.key, again.object == entry.object else {
                preconditionFailure("cache entry round trip changed the entry")
            }
        }
    }
}

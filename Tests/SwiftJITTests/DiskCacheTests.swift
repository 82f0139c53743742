// The object cache on disk, in process: file format checks, the key, eviction. The cross-process
// behaviour (a second process links from disk, concurrent writers) is in CacheCLITests.
import Foundation
import XCTest
import JITLowering
import JITRuntime
import LLVMKit
@testable import SwiftJIT

final class DiskCacheTests: XCTestCase {
    /// A cache in a fresh folder (removed afterwards) whose warnings go to `warnings`.
    func temporaryCache(sizeLimit: Int = DiskCache.defaultSizeLimit) throws -> DiskCache {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("diskcache-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        let cache = DiskCache(directory: url, sizeLimit: sizeLimit)
        let box = warnings
        cache.warn = { box.append($0) }
        return cache
    }

    private final class WarningBox: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func append(_ s: String) { lock.withLock { items.append(s) } }
        func removeAll(where drop: (String) -> Bool) { lock.withLock { items.removeAll(where: drop) } }
        var all: [String] { lock.withLock { items } }
    }
    private var warnings = WarningBox()

    func testSHA256Vectors() {
        XCTAssertEqual(SHA256.hex([]), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let long = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        XCTAssertEqual(SHA256.hex(long), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hash(Array("ab".utf8), Array("c".utf8)), SHA256.hash(Array("abc".utf8)))
    }

    func testRoundTripAndEveryBadFileIsRejected() throws {
        let cache = try temporaryCache()
        let object = (0..<1000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        cache.store(key: "key one", object: object)
        XCTAssertEqual(cache.load(key: "key one"), object)
        XCTAssertNil(cache.load(key: "key two"), "no entry")
        XCTAssertTrue(warnings.all.isEmpty)

        let url = cache.url(forKey: "key one")
        let good = try Data(contentsOf: url)
        var flipped = good
        flipped[flipped.count - 10] ^= 0x40
        let cases: [(String, Data, DiskCache.Problem)] = [
            ("corrupt", flipped, .corrupt),
            ("truncated", good.prefix(good.count - 100), .truncated),
            ("truncated header", good.prefix(20), .truncated),
            ("foreign", Data("\u{7f}ELF and then some bytes of another kind of file".utf8), .foreign),
            ("stale", { var d = good; d[8] = 0; d[9] = 1; return d }(), .stale(256)),
            // Both lengths all ones: their sum overflows 64 bits (found by `scripts/fuzz cache`).
            ("huge lengths", { var d = good; for i in 12..<24 { d[i] = 0xff }; return d }(), .truncated),
            ("lengths too short", { var d = good; d[12] = 0; return d }(), .corrupt),
        ]
        for (name, bytes, problem) in cases {
            XCTAssertThrowsError(try DiskCache.decode(Array(bytes)), name) { XCTAssertEqual($0 as? DiskCache.Problem, problem, name) }
            try bytes.write(to: url)
            XCTAssertNil(cache.load(key: "key one"), name)
        }
        // A well-formed file whose key bytes are not UTF-8 is not one of ours.
        let badKey: [UInt8] = [0x6b, 0xff, 0xfe]
        var notUTF8 = Array(good.prefix(8 + 4))
        notUTF8 += [UInt8(badKey.count), 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0]
        notUTF8 += SHA256.hash(badKey, [1, 2, 3]) + badKey + [1, 2, 3]
        XCTAssertThrowsError(try DiskCache.decode(notUTF8)) { XCTAssertEqual($0 as? DiskCache.Problem, .corrupt) }
        XCTAssertEqual(try DiskCache.decode(DiskCache.encode(key: "k\u{e9}", object: [1, 2, 3])).key, "k\u{e9}")
        // Another entry's (valid) file under this entry's name.
        cache.store(key: "key two", object: [1, 2, 3])
        try FileManager.default.removeItem(at: url)
        try FileManager.default.copyItem(at: cache.url(forKey: "key two"), to: url)
        XCTAssertNil(cache.load(key: "key one"))
        XCTAssertEqual(cache.verify().map(\.0.lastPathComponent), [url.lastPathComponent])
        // Files others could have written are never loaded, whatever they hold.
        cache.store(key: "key three", object: object)
        let three = cache.url(forKey: "key three")
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: three.path)[.posixPermissions] as? Int, 0o644)
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: three.path)
        XCTAssertNil(cache.load(key: "key three"))
        XCTAssertThrowsError(try DiskCache.readTrusted(three)) { XCTAssertEqual($0 as? DiskCache.Problem, .untrusted) }
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: three.path)
        XCTAssertEqual(cache.load(key: "key three"), object)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: cache.directory.path)[.posixPermissions] as? Int, 0o700)
        warnings.removeAll { $0.contains(three.lastPathComponent) }
        // Reported once per file, however often it is seen.
        XCTAssertEqual(warnings.all.count, 1, "\(warnings.all)")
        XCTAssertTrue(warnings.all[0].contains("ignoring cache file"), warnings.all[0])
        // Rebuilt: a store replaces the bad file.
        cache.store(key: "key one", object: object)
        XCTAssertEqual(cache.load(key: "key one"), object)
        XCTAssertTrue(cache.verify().isEmpty)
    }

    func testEvictionKeepsTheSizeCap() throws {
        let entry = DiskCache.encode(key: "k0", object: [UInt8](repeating: 1, count: 1000)).count
        let cache = try temporaryCache(sizeLimit: 3 * entry + entry / 2)
        for n in 0..<6 {
            cache.store(key: "k\(n)", object: [UInt8](repeating: UInt8(n), count: 1000))
            // Distinct modification times, oldest first; then k0 is used again.
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: Double(n - 100))],
                                                  ofItemAtPath: cache.url(forKey: "k\(n)").path)
            if n == 2 { XCTAssertNotNil(cache.load(key: "k0")) }
            XCTAssertLessThanOrEqual(cache.totalSize, cache.sizeLimit)
        }
        let kept = Set(cache.files().map(\.url.lastPathComponent))
        XCTAssertEqual(kept.count, 3)
        // k0 was used after k1...k3 were written, so it outlives them.
        for n in [0, 4, 5] { XCTAssertTrue(kept.contains(cache.url(forKey: "k\(n)").lastPathComponent), "k\(n)") }
        cache.evict(toAtMost: 0)
        XCTAssertEqual(cache.files().count, 0)

        // Temporary files of crashed writers: only old ones go.
        let old = cache.directory.appendingPathComponent(".x.sjo.1.2.tmp"), fresh = cache.directory.appendingPathComponent(".y.sjo.1.2.tmp")
        try Data([1]).write(to: old)
        try Data([2]).write(to: fresh)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: old.path)
        XCTAssertEqual(cache.removeTemporaries(olderThan: 3600), 1)
        XCTAssertTrue(FileManager.default.fileExists(atPath: fresh.path))
    }

    func testKeyCoversWhatDecidesTheCode() throws {
        let f = try JIT.compile("x*(1+x)").typedIR(Signature([("x", .array(.float64))]))
        let g = try JIT.compile("x*(1+x)").typedIR(Signature([("x", .array(.float32))]))
        let e = Engine.shared
        let base = try e.objectKey(.expression(f), options: LoweringOptions())
        let others = [
            try e.objectKey(.expression(g), options: LoweringOptions()),
            try e.objectKey(.expression(f), options: LoweringOptions(mathMode: .strict)),
            try e.objectKey(.expression(f), options: LoweringOptions(optimizationLevel: 2)),
            try e.objectKey(.expression(f), options: LoweringOptions(), cpu: "x86-64-v3"),
            try e.objectKey(.expression(f), options: LoweringOptions(), features: "+sse2"),
        ]
        XCTAssertEqual(Set(others.map(\.digest) + [base.digest]).count, others.count + 1)
        for field in ["llvm \(LLVM.versionMajor).", "swiftjit \(Engine.version)", "triple ", "cpu \(try e.cpuName)",
                      "features \(try e.cpuFeatures)", "func(x: f64[])"] {
            XCTAssertTrue(base.text.contains(field), field)
        }
        XCTAssertTrue(base.symbol.hasPrefix("sj_") && base.symbol.count == 35)
    }

    func testDefaultLocation() {
        let home = ["HOME": "/home/u"]
        XCTAssertEqual(DiskCache.fromEnvironment(home, processName: "app")?.directory.path, "/home/u/.cache/swiftjit")
        XCTAssertEqual(DiskCache.fromEnvironment(home.merging(["XDG_CACHE_HOME": "/xdg"]) { $1 }, processName: "app")?.directory.path,
                       "/xdg/swiftjit")
        XCTAssertEqual(DiskCache.fromEnvironment(home.merging(["SWIFTJIT_CACHE_DIR": "/c"]) { $1 }, processName: "a.xctest")?.directory.path, "/c")
        XCTAssertNil(DiskCache.fromEnvironment(home.merging(["SWIFTJIT_CACHE_DIR": "off"]) { $1 }, processName: "app"))
        XCTAssertNil(DiskCache.fromEnvironment(home, processName: "SwiftJITPackageTests.xctest"), "tests never use ~/.cache")
        XCTAssertEqual(DiskCache.fromEnvironment(home.merging(["SWIFTJIT_CACHE_MAX_MB": "3"]) { $1 }, processName: "app")?.sizeLimit, 3 << 20)
    }

    /// In process: a second engine-level request after clearing memory is not possible, so the
    /// disk path is checked through a kernel compiled with the cache on, then linked again from
    /// its file by a fresh JIT (what a second process does).
    func testStoredObjectLinksInAFreshJIT() throws {
        let cache = try temporaryCache()
        let f = try JIT.compile("x*2.5 + 1").typedIR(Signature([("x", .array(.float64))]))
        let key = try Engine.shared.objectKey(.expression(f), options: LoweringOptions())
        let object = try Engine.shared.exportObject(.expression(f), symbol: key.symbol, options: LoweringOptions())
        cache.store(key: key.text, object: object)
        let loaded = try XCTUnwrap(cache.load(key: key.text))
        let jit = try OrcJIT()
        let entry = unsafeBitCast(try jit.addObjectAndLookup(loaded, symbol: key.symbol), to: KernelEntry.self)
        var x: [Double] = [1, 2, 3], y = [Double](repeating: 0, count: 3)
        x.withUnsafeMutableBytes { xp in
            y.withUnsafeMutableBytes { yp in
                var args: [UnsafeMutableRawPointer?] = [xp.baseAddress]
                let strides: [Int64] = [1, 1]
                entry(0, 3, &args, strides, yp.baseAddress)
            }
        }
        XCTAssertEqual(y, [3.5, 6, 8.5])
    }
}

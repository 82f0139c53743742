// The disk cache's size cap without a scan per store (DiskCacheIndex): stores below the cap list
// no folder whatever it holds, a store over the cap sweeps once, the running total is rebuilt
// when its index is lost, and several writers and a clearer on one folder keep it valid.
import Foundation
import XCTest
import JITRuntime

final class DiskCacheIndexTests: XCTestCase {
    func folder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("diskindex-\(UUID().uuidString)")
        addTeardownBlock {
            DiskCache(directory: url).clear()
            try? FileManager.default.removeItem(at: url)
        }
        return url
    }

    /// Writes `count` entry-sized files directly (as earlier processes would have left them; the
    /// size cap only reads their names and sizes).
    func fill(_ cache: DiskCache, count: Int, size: Int = 200) throws {
        try FileManager.default.createDirectory(at: cache.directory, withIntermediateDirectories: true)
        let bytes = [UInt8](repeating: 1, count: size)
        for i in 0..<count {
            // POSIX calls: Foundation's Data.write took 6 ms per file here.
            let fd = open(cache.directory.appendingPathComponent("prefill\(i).\(DiskCache.fileExtension)").path,
                          O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            XCTAssertGreaterThanOrEqual(fd, 0)
            XCTAssertEqual(write(fd, bytes, size), size)
            close(fd)
        }
    }

    func testStoresBelowTheCapListNoFolderWhateverItHolds() throws {
        let cache = DiskCache(directory: folder())
        try fill(cache, count: 10_000)
        // The first store of a folder without an index builds it with one listing...
        cache.store(key: "first", object: [1, 2, 3])
        XCTAssertEqual(cache.scans, 1)
        // ...and no store after it lists the folder again, here or in another process's instance.
        let other = DiskCache(directory: cache.directory)
        for i in 0..<100 {
            (i.isMultiple(of: 2) ? cache : other).store(key: "k\(i)", object: [UInt8](repeating: 7, count: 100 + i))
        }
        XCTAssertEqual(cache.scans, 1)
        XCTAssertEqual(other.scans, 0)
        XCTAssertEqual(other.load(key: "k99"), [UInt8](repeating: 7, count: 199))
        let exact = cache.totalSize
        XCTAssertEqual(cache.indexedTotal, exact)
    }

    func testAStoreOverTheCapSweepsToNinetyPercent() throws {
        let entry = DiskCache.encode(key: "k00", object: [UInt8](repeating: 0, count: 1000)).count
        let cache = DiskCache(directory: folder(), sizeLimit: 20 * entry)
        for n in 0..<20 { cache.store(key: String(format: "k%02d", n), object: [UInt8](repeating: UInt8(n), count: 1000)) }
        XCTAssertEqual(cache.scans, 1, "only the index's first build")
        XCTAssertEqual(cache.files().count, 20)
        cache.store(key: "k20", object: [UInt8](repeating: 20, count: 1000))
        XCTAssertEqual(cache.scans, 3, "one sweep (and the two listings of this test)")
        XCTAssertEqual(cache.files().count, 18, "down to 90 % of the cap")
        XCTAssertEqual(cache.indexedTotal, 18 * entry)
        XCTAssertNotNil(cache.load(key: "k20"), "the newest entry stays")
        // The next stores fit under the cap again without a listing.
        let scans = cache.scans
        cache.store(key: "k21", object: [UInt8](repeating: 21, count: 1000))
        XCTAssertEqual(cache.scans, scans)
    }

    func testALostOrDamagedIndexIsRebuilt() throws {
        let cache = DiskCache(directory: folder())
        try fill(cache, count: 10)
        cache.store(key: "a", object: [1])
        XCTAssertEqual(cache.indexedTotal, 10 * 200 + cache.totalSize - 10 * 200)
        let index = cache.directory.appendingPathComponent(".index")
        try Data("garbage".utf8).write(to: index)
        cache.store(key: "b", object: [2])
        XCTAssertEqual(cache.indexedTotal, cache.totalSize)
        try FileManager.default.removeItem(at: index)
        cache.store(key: "c", object: [3])
        XCTAssertEqual(cache.indexedTotal, cache.totalSize)
        cache.clear()
        XCTAssertEqual(cache.indexedTotal, 0)
        XCTAssertEqual(cache.files().count, 0)
    }

    /// Four writers with instances of their own (as separate processes have) and one thread that
    /// clears the folder now and then: every file left is valid and the cap holds within what
    /// the writers stored while another swept.
    func testConcurrentWritersAndClearsKeepTheFolderValid() throws {
        let url = folder()
        let entry = DiskCache.encode(key: "w0 000", object: [UInt8](repeating: 0, count: 500)).count
        let limit = 30 * entry
        let writers = (0..<4).map { _ in DiskCache(directory: url, sizeLimit: limit) }
        DispatchQueue.concurrentPerform(iterations: 5) { t in
            if t == 4 {
                for _ in 0..<3 { usleep(20_000); DiskCache(directory: url, sizeLimit: limit).clear() }
                return
            }
            for n in 0..<150 {
                writers[t].store(key: String(format: "w%d %03d", t, n), object: [UInt8](repeating: UInt8(n & 255), count: 500))
            }
        }
        let check = DiskCache(directory: url, sizeLimit: limit)
        XCTAssertTrue(check.verify().isEmpty)
        XCTAssertLessThanOrEqual(check.totalSize, limit + 4 * entry)
        check.evict()
        XCTAssertLessThanOrEqual(check.totalSize, limit)
        XCTAssertEqual(check.indexedTotal, check.totalSize)
    }
}

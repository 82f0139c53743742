// DiskCacheIndex: the size cap of a DiskCache without a directory scan per store.
//
// In: the bytes each store adds. Out: sweeps, only when the folder's running total goes over the
// cap. The total is kept in `.index` in the cache folder, shared by every process using it:
//
//     "SJINDEX1"  magic, 8 bytes
//     u64 LE      total bytes of entry files
//
// read and rewritten under an exclusive `flock` (a few microseconds, whatever the number of
// entries). A missing or unreadable index is rebuilt by one scan. A store that takes the total
// over the cap sweeps: it lists the folder once, removes the least recently used files down to
// 90 % of the cap (so the next sweep is at least a tenth of the cap of stores away) and corrects
// the total to what the listing found, keeping what other processes added meanwhile. One sweeper
// at a time per folder (`.sweep` lock; a store that finds another sweeping skips); a file that
// vanished under a sweep (another process's `clear`) is skipped. The total is an estimate between
// sweeps (an entry rewritten by two processes counts twice) and is made exact by each sweep.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension DiskCache {
    static let indexMagic = Array("SJINDEX1".utf8)

    var indexPath: String { directory.appendingPathComponent(".index").path }
    var sweepLockPath: String { directory.appendingPathComponent(".sweep").path }

    /// The folder's running total as the index says (nil: no readable index).
    public var indexedTotal: Int? { withIndex { $0 } }

    /// Adds `delta` (the bytes of a file just renamed into place) to the running total and
    /// returns the new total; nil when the index cannot be opened (the cap is then not enforced
    /// by this store). Without a valid index, one listing (which sees that file) gives the total.
    func addToTotal(_ delta: Int) -> Int? {
        withIndex { current in current.map { max(0, $0 + delta) } ?? scanTotal() }
    }

    /// Sets the total to zero (after `clear`).
    func resetTotal() { _ = withIndex { _ in 0 } }

    /// Runs `update` on the index's total under its lock and writes back what it returns.
    @discardableResult
    private func withIndex(_ update: (Int?) -> Int?) -> Int? {
        let fd = open(indexPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 { if errno != EINTR { return nil } }
        defer { flock(fd, LOCK_UN) }
        var bytes = [UInt8](repeating: 0, count: 16)
        let n = bytes.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 16, 0) }
        let current = n == 16 && Array(bytes[0..<8]) == Self.indexMagic ? Int(clamping: Self.readLE(bytes, 8, 8)) : nil
        guard let total = update(current) else { return nil }
        if total != current {
            var out = Self.indexMagic
            Self.appendLE(&out, UInt64(max(0, total)), 8)
            _ = out.withUnsafeBytes { pwrite(fd, $0.baseAddress, 16, 0) }
        }
        return total
    }

    /// Total bytes of entry files, from a listing.
    private func scanTotal() -> Int { files().reduce(0) { $0 + $1.size } }

    /// Sweeps down to 90 % of the cap unless another process is sweeping.
    func sweep() {
        _ = withSweepLock(wait: false) { sweepFolder(toAtMost: sizeLimit - sizeLimit / 10) }
    }

    /// Runs `body` holding the folder's sweep lock; nil when `wait` is false and another holds it
    /// (or the lock file cannot be opened).
    func withSweepLock<T>(wait: Bool, _ body: () -> T) -> T? {
        let fd = open(sweepLockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { return wait ? body() : nil }
        defer { close(fd) }
        while flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB)) != 0 { if errno != EINTR { return nil } }
        defer { flock(fd, LOCK_UN) }
        return body()
    }

    /// Lists the folder, removes least recently used files until the total is at most `limit`
    /// and corrects the index: the listing's total minus what went, plus what other processes
    /// added since the listing. The caller holds the sweep lock.
    func sweepFolder(toAtMost limit: Int) -> [URL] {
        let before = indexedTotal
        let list = files()
        var total = list.reduce(0) { $0 + $1.size }
        let listed = total
        var removed: [URL] = []
        for file in list where total > limit {
            // Gone already (removed by another process): it no longer counts either way.
            let gone = unlink(file.url.path) == 0
            if gone { removed.append(file.url) }
            if gone || errno == ENOENT { total -= file.size }
        }
        let freed = listed - total
        withIndex { now in max(0, listed - freed + ((now ?? listed) - (before ?? listed))) }
        return removed
    }
}

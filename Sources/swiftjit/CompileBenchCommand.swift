// `swiftjit compile-bench`: what making code costs, in one process through the public API.
//   first:  first compile + first call of never-seen work (a tiny expression, W2's Horner
//           polynomial, the W9 and W10 kernels), with the disk cache off, holding 10 and holding
//           10,000 entries; medians, with the share of each phase (PhaseTimes). A kernel's first
//           call runs its quick tier; "background" is the CPU time of its final code compiled on
//           the background thread (waited for after each measurement; SWIFTJIT_TIERS=0: none).
//   memory: compiles many distinct expressions and prints resident memory as it goes (code
//           that no cache holds is freed).
// In: options below (run from the repository: kernels are read from Examples/). Out: text tables.
import ArgumentParser
import CJITSupport
import Foundation
import LLVMKit
import SwiftJIT

struct CompileBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compile-bench",
        abstract: "Time first compiles (by phase) and watch memory over many distinct compiles.")

    @Option(help: "Sections: first, memory (comma-separated).")
    var sections = "first"

    @Option(help: "first: disk-cache states, entries held (off = no disk cache), comma-separated.")
    var cacheEntries = "off,10,10000"

    @Option(help: "first: workloads (tiny, horner, w9, w10), comma-separated.")
    var workloads = "tiny,horner,w9,w10"

    @Option(name: .customLong("repeat"), help: "first: measurements per workload and cache state.")
    var repetitions = 7

    @Option(help: "memory: distinct expressions to compile.")
    var count = 20_000

    @Option(help: "memory: print a line every this many compiles.")
    var every = 1000

    @Flag(help: "memory: return malloc's free memory to the system (malloc_trim) before each line.")
    var trim = false

    @Option(help: "Folder of the kernel sources (W9: trace.sj, W10: lu.sj).")
    var examples = "Examples"

    func run() throws {
        JIT.numThreads = 1
        let wanted = Set(sections.split(separator: ",").map(String.init))
        if wanted.contains("first") { try first() }
        if wanted.contains("memory") { try memory() }
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }
    /// CPU time of the calling thread, ns (compiling and a 1-thread call run on it): less
    /// sensitive than wall time to other processes on a busy machine.
    static func cpuNow() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }
    static func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
    /// The 1-, 5- and 15-minute load averages (/proc/loadavg), as `uptime` prints them.
    static func loadAverage() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// One first compile + first call of workload `name` under never-seen names (`tag`).
    func firstCall(_ name: String, tag: String) throws {
        switch name {
        case "tiny":
            let x = NDArray((0..<16).map(Double.init))
            _ = try JIT.compile("x\(tag)*2.5 + 1").call(x)
        case "horner":
            let x = NDArray((0..<16).map { Double($0) / 16 })
            _ = try JIT.compile("x*(1+x*(1+x*(1+x*(1+x*(1+x*(1+x*(1+x)))))))".replacingOccurrences(of: "x", with: "x\(tag)")).call(x)
        case "w9":
            let source = try String(contentsOfFile: examples + "/trace.sj", encoding: .utf8)
                .replacingOccurrences(of: "add_trace", with: "add_trace\(tag)")
            let a = NDArray((0..<10_000).map(Double.init), shape: [100, 100])
            _ = try JIT.kernels(source).kernel("add_trace\(tag)").callAll([a])
        case "w10":
            let source = try String(contentsOfFile: examples + "/lu.sj", encoding: .utf8)
                .replacingOccurrences(of: "lu_pivot_product", with: "lu_pivot_product\(tag)")
            let n = 10
            let values: [Double] = (0..<n * n).map { (i: Int) -> Double in
                i / n == i % n ? Double(n + 1) : 1.0 / Double(1 + i % 7)
            }
            let m = NDArray(values, shape: [n, n])
            _ = try JIT.kernels(source).kernel("lu_pivot_product\(tag)").callAll([m])
        default:
            throw UserError(message: "unknown workload '\(name)' (tiny, horner, w9, w10)")
        }
    }

    func first() throws {
        let names = workloads.split(separator: ",").map(String.init)
        let states = cacheEntries.split(separator: ",").map(String.init)
        try firstCall("tiny", tag: "warm")  // LLVM's one-time start-up is not any workload's
        print("first compile + first call, median of \(repetitions), LLVM \(LLVM.versionMajor), 1 thread "
              + "(ms wall and thread CPU; phases: median ms of CPU time; load \(Self.loadAverage()))")
        let phaseNames = PhaseTimes.Totals.phases.map(\.0).filter { $0 != "free" }
        print(["cache", "workload", "total", "cpu", "compiles"].joined(separator: "\t") + "\t" + phaseNames.joined(separator: "\t") + "\tours+rest\tbackground")
        for (s, state) in states.enumerated() {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("swiftjit-compile-bench-\(getpid())-\(s)")
            defer {
                DiskCache(directory: folder).clear()
                try? FileManager.default.removeItem(at: folder)
            }
            if let entries = Int(state) {
                try fill(folder, entries: entries)
                JIT.diskCache = DiskCache(directory: folder)
                try firstCall("tiny", tag: "warm\(s)")  // builds the folder's index (one listing, once per folder)
            } else {
                JIT.diskCache = nil
            }
            for name in names {
                var totals: [Double] = [], cpus: [Double] = [], compiles: [Double] = []
                var phases: [[Double]] = Array(repeating: [], count: phaseNames.count)
                var rest: [Double] = [], background: [Double] = []
                for r in 0..<repetitions {
                    let before = PhaseTimes.currentCPU, compiled = JIT.llvmCompilations
                    let backgroundBefore = PhaseTimes.backgroundCPU
                    let start = Self.now(), cpuStart = Self.cpuNow()
                    try firstCall(name, tag: "s\(s)r\(r)")
                    let ms = Double(Self.now() - start) / 1e6
                    let cpu = Double(Self.cpuNow() - cpuStart) / 1e6
                    // A kernel's final code compiles on the background thread (compile tiers):
                    // waited for outside the measurement, its CPU time reported apart.
                    JIT.drainBackgroundCompiles()
                    let b = PhaseTimes.backgroundCPU.since(backgroundBefore)
                    background.append((b.optimize + b.codegen + b.link + b.disk + b.irBuild) * 1e3)
                    cpus.append(cpu)
                    let d = PhaseTimes.currentCPU.since(before)
                    totals.append(ms)
                    compiles.append(Double(JIT.llvmCompilations - compiled))
                    var spent = 0.0
                    for (i, p) in phaseNames.enumerated() {
                        let v = d[keyPath: PhaseTimes.Totals.phases.first { $0.0 == p }!.1] * 1e3
                        phases[i].append(v)
                        spent += v
                    }
                    rest.append(cpu - spent)
                }
                let cells = [state, name, String(format: "%.2f", Self.median(totals)), String(format: "%.2f", Self.median(cpus)),
                             String(format: "%.0f", Self.median(compiles))]
                    + phases.map { String(format: "%.2f", Self.median($0)) } + [String(format: "%.2f", Self.median(rest)),
                                                                                 String(format: "%.1f", Self.median(background))]
                print(cells.joined(separator: "\t"))
            }
        }
        JIT.diskCache = nil
    }

    /// Writes `entries` files of a typical object's size (8 KiB) named as entries are.
    func fill(_ folder: URL, entries: Int) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o700])
        let bytes = [UInt8](repeating: 0x5a, count: 8192)
        for i in 0..<entries {
            let path = folder.appendingPathComponent(String(format: "%064x.%@", i, DiskCache.fileExtension)).path
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0, write(fd, bytes, bytes.count) == bytes.count else {
                throw UserError(message: "cannot write \(path)")
            }
            close(fd)
        }
    }

    /// Resident memory of this process, MB (Linux: /proc/self/statm).
    static func residentMB() -> Double {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return .nan }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? (Double(fields[1]) ?? .nan) * Double(sysconf(Int32(_SC_PAGESIZE))) / 1e6 : .nan
    }

    /// The i-th distinct expression: x*y, then x and y joined by +, - and *, chosen by i's base-6
    /// digits (every i gives another tree, hence another compilation).
    static func expression(_ i: Int) -> String {
        var text = "x*y", n = i
        repeat {
            text += ["+", "-", "*"][n % 3] + ["x", "y"][(n / 3) % 2]
            n /= 6
        } while n > 0
        return text
    }

    /// Mappings of this process (lines of /proc/self/maps) and how many of them are executable.
    static func mappings() -> (all: Int, executable: Int) {
        guard let text = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return (0, 0) }
        let lines = text.split(separator: "\n")
        let executable = lines.filter { line in
            line.split(separator: " ", maxSplits: 2).dropFirst().first.map { $0.contains("x") } ?? false
        }.count
        return (lines.count, executable)
    }

    func memory() throws {
        JIT.diskCache = nil
        let x = NDArray((0..<16).map(Double.init)), y = NDArray((0..<16).map { Double($0) + 0.5 })
        try LLVM.initialize()
        let header = "distinct expressions compiled in one process (LLVM \(LLVM.versionMajor), disk cache off, "
            + "load \(Self.loadAverage())\(trim ? ", malloc_trim before each line" : "")); "
            + "expression cache \(JIT.expressionCacheCapacity), engine code cache \(JIT.codeCacheCapacity)\n"
            + "heap: malloc's bytes in use and freed but held (mallinfo2); maps: mappings (executable ones)\n"
            + "compiled\tresident MB\tlive functions\tms per compile\theap MB\tfree MB\tmaps\n"
        FileHandle.standardOutput.write(Data(header.utf8))
        var last = Self.now()
        for i in 1...count {
            let f = try JIT.compile(Self.expression(i))
            let r = try f.call(x, y)
            precondition(r.shape == [16])
            if i % every == 0 {
                let t = Self.now()
                if trim { OrcJIT.releaseFreeHeap() }
                let heap = sj_heap_statistics(), maps = Self.mappings()
                // Unbuffered, so a long run can be watched.
                let line = String(format: "%d\t%.1f\t%d\t%.2f\t%.1f\t%.1f\t%d (%d)\n", i, Self.residentMB(), JIT.liveFunctions,
                                  Double(t - last) / 1e6 / Double(every), Double(heap.in_use) / 1e6,
                                  Double(heap.free_held) / 1e6, maps.all, maps.executable)
                FileHandle.standardOutput.write(Data(line.utf8))
                last = t
            }
        }
    }
}

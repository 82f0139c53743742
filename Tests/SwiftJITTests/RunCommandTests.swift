// `swiftjit run`: kernels from a source file, arguments by parameter name, as a child process.
import Foundation
import JITRuntime
import XCTest

final class RunCommandTests: XCTestCase {
    typealias Output = SwiftJITProcess.Output

    func run(_ arguments: [String], in directory: URL) throws -> Output {
        try SwiftJITProcess.run(arguments, in: directory)
    }

    static let source = """
    # test kernels
    kernel scale(x: f64[], k: f64) -> f64[] {
        let y = empty_like(x)
        for i in 0..<len(x) { y[i] = x[i] * k }
        return y
    }

    kernel stats(x: f64[]) -> (f64, i64) {
        var s = 0.0
        for i in 0..<len(x) { s += x[i] }
        return s, len(x)
    }

    kernel pick(x: f64[], i: i64) -> f64 {
        return x[i]
    }

    kernel mix(a, b, c) {
        return a + b, c
    }
    """

    func directory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("runtests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        try Self.source.write(to: dir.appendingPathComponent("k.sj"), atomically: true, encoding: .utf8)
        try NPY.write(NDArray([1.0, 2.0, 3.5]), to: dir.appendingPathComponent("x.npy").path)
        return dir
    }

    func testWritesTheResultToOut() throws {
        let dir = try directory()
        let r = try run(["run", "k.sj", "scale", "--arg", "x=x.npy", "--arg", "k=2", "--out", "y.npy"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "")
        let y = try NPY.read(path: dir.appendingPathComponent("y.npy").path)
        XCTAssertEqual(y.dtype, .float64)
        XCTAssertEqual(y.doubles, [2, 4, 7])
    }

    func testPrintsWithoutOut() throws {
        let dir = try directory()
        let r = try run(["run", "k.sj", "scale", "--arg", "k=0.5", "--arg", "x=x.npy"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "array([0.5 , 1.  , 1.75])\n")
    }

    func testTuplesArePrintedInOrderOrWrittenToNumberedFiles() throws {
        let dir = try directory()
        let printed = try run(["run", "k.sj", "stats", "--arg", "x=x.npy"], in: dir)
        XCTAssertEqual(printed.status, 0, printed.stderr)
        XCTAssertEqual(printed.stdout, "6.5\n3\n")  // scalars plainly, as the REPL prints them
        let written = try run(["run", "k.sj", "stats", "--arg", "x=x.npy", "--out", "s.npy"], in: dir)
        XCTAssertEqual(written.status, 0, written.stderr)
        let s = try NPY.read(path: dir.appendingPathComponent("s.npy").path)
        let n = try NPY.read(path: dir.appendingPathComponent("s.1.npy").path)
        XCTAssertEqual(s.shape, [])
        XCTAssertEqual(s.doubles, [6.5])
        XCTAssertEqual(n.dtype, .int64)
        XCTAssertEqual(n.toArray(Int64.self), [3])
    }

    func testUntypedParametersTakeTheTypeOfTheirText() throws {
        let dir = try directory()
        let r = try run(["run", "k.sj", "mix", "--arg", "a=2", "--arg", "b=3", "--arg", "c=true", "--out", "m.npy"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let sum = try NPY.read(path: dir.appendingPathComponent("m.npy").path)
        XCTAssertEqual(sum.dtype, .int64)
        XCTAssertEqual(sum.toArray(Int64.self), [5])
        XCTAssertEqual(try NPY.read(path: dir.appendingPathComponent("m.1.npy").path).dtype, .bool)
        let f = try run(["run", "k.sj", "mix", "--arg", "a=2", "--arg", "b=0.5", "--arg", "c=x.npy"], in: dir)
        XCTAssertEqual(f.status, 0, f.stderr)
        XCTAssertEqual(f.stdout, "2.5\narray([1. , 2. , 3.5])\n")
    }

    func testMissingExtraAndMistypedArguments() throws {
        let dir = try directory()
        let missing = try run(["run", "k.sj", "scale", "--arg", "x=x.npy"], in: dir)
        XCTAssertEqual(missing.status, 1)
        XCTAssertEqual(missing.stderr, "error: no value for 'k' of scale(x: f64[], k: f64); give --arg k=...\n")
        let extra = try run(["run", "k.sj", "scale", "--arg", "x=x.npy", "--arg", "k=1", "--arg", "z=3"], in: dir)
        XCTAssertEqual(extra.status, 1)
        XCTAssertTrue(extra.stderr.contains("kernel 'scale' has no parameter 'z'"), extra.stderr)
        let mistyped = try run(["run", "k.sj", "pick", "--arg", "x=x.npy", "--arg", "i=1.5"], in: dir)
        XCTAssertEqual(mistyped.status, 1)
        XCTAssertTrue(mistyped.stderr.contains("'1.5' is not a value of i's type i64"), mistyped.stderr)
        let scalarForArray = try run(["run", "k.sj", "pick", "--arg", "x=4", "--arg", "i=0"], in: dir)
        XCTAssertEqual(scalarForArray.status, 1)
        XCTAssertTrue(scalarForArray.stderr.contains("'x' is an array (f64[]); give a .npy file"), scalarForArray.stderr)
        let unknownKernel = try run(["run", "k.sj", "scal", "--arg", "x=x.npy"], in: dir)
        XCTAssertEqual(unknownKernel.status, 1)
        XCTAssertTrue(unknownKernel.stderr.contains("did you mean 'scale'?"), unknownKernel.stderr)
    }

    func testUsageErrorsExitTwo() throws {
        let dir = try directory()
        let noEquals = try run(["run", "k.sj", "scale", "--arg", "x"], in: dir)
        XCTAssertEqual(noEquals.status, 2)
        XCTAssertTrue(noEquals.stderr.contains("must have the form NAME=PATH.npy|VALUE"), noEquals.stderr)
        let twice = try run(["run", "k.sj", "scale", "--arg", "x=x.npy", "--arg", "x=x.npy", "--arg", "k=1"], in: dir)
        XCTAssertEqual(twice.status, 2)
        XCTAssertTrue(twice.stderr.contains("'x' is given twice"), twice.stderr)
        let noKernel = try run(["run", "k.sj"], in: dir)
        XCTAssertEqual(noKernel.status, 2)
    }

    func testBadFilesAndSyntaxErrors() throws {
        let dir = try directory()
        let noSource = try run(["run", "nope.sj", "scale"], in: dir)
        XCTAssertEqual(noSource.status, 1)
        XCTAssertEqual(noSource.stderr, "error: cannot read kernel source 'nope.sj': no such file\n")
        let noArray = try run(["run", "k.sj", "scale", "--arg", "x=nope.npy", "--arg", "k=1"], in: dir)
        XCTAssertEqual(noArray.status, 1)
        XCTAssertTrue(noArray.stderr.contains("nope.npy"), noArray.stderr)
        try "kernel f(x) {\n    return x +* 2\n}\n".write(to: dir.appendingPathComponent("bad.sj"), atomically: true, encoding: .utf8)
        let syntax = try run(["run", "bad.sj", "f", "--arg", "x=1"], in: dir)
        XCTAssertEqual(syntax.status, 1)
        XCTAssertEqual(syntax.stderr, """
            bad.sj:2:15: error: expected an expression, found '*'
            2 |     return x +* 2
              |               ^

            """)
    }

    func testRuntimeErrorsAndBoundsChecks() throws {
        let dir = try directory()
        let r = try run(["run", "k.sj", "pick", "--arg", "x=x.npy", "--arg", "i=3"], in: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("index 3 is out of range for axis 0 with size 3 in kernel 'pick'"), r.stderr)
        let inRange = try run(["run", "k.sj", "pick", "--arg", "x=x.npy", "--arg", "i=2", "--no-bounds-checks",
                                   "--math", "strict"], in: dir)
        XCTAssertEqual(inRange.status, 0, inRange.stderr)
        XCTAssertEqual(inRange.stdout, "3.5\n")
    }

    func testRunsAnExampleKernel() throws {
        let dir = try directory()
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples")
        try NPY.write(NDArray([4.0, 1, 1, 3], shape: [2, 2]), to: dir.appendingPathComponent("m.npy").path)
        let r = try run(["run", examples.appendingPathComponent("lu.sj").path, "lu_pivot_product", "--arg", "M=m.npy"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(try XCTUnwrap(Double(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)), r.stdout), 11, accuracy: 1e-14)
    }
}

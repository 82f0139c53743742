// The `swiftjit` executable, run as a child process over temporary .npy files.
import Foundation
import XCTest
import JITRuntime
import JITSema

final class CLITests: XCTestCase {
    typealias Run = SwiftJITProcess.Output

    func run(_ arguments: [String], in directory: URL) throws -> Run {
        try SwiftJITProcess.run(arguments, in: directory)
    }

    func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("clitests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testEvalWritesOut() throws {
        let dir = try temporaryDirectory()
        try NPY.write(NDArray([1.0, 2.0, 3.0]), to: dir.appendingPathComponent("a.npy").path)
        try NPY.write(NDArray([0.5, 0.25, -1.0]), to: dir.appendingPathComponent("b.npy").path)
        let r = try run(["eval", "a*2 + b", "--var", "a=a.npy", "--var", "b=b.npy", "--out", "y.npy"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        let y = try NPY.read(path: dir.appendingPathComponent("y.npy").path)
        XCTAssertEqual(y.shape, [3])
        XCTAssertEqual(y.doubles, [2.5, 4.25, 5.0])

        // Printed when there is no --out.
        let printed = try run(["eval", "a*2 + b", "--var", "a=a.npy", "--var", "b=b.npy"], in: dir)
        XCTAssertEqual(printed.status, 0, printed.stderr)
        XCTAssertEqual(printed.stdout, "array([2.5 , 4.25, 5.  ])\n")

        // Scalar results are written as 0-d arrays.
        try NPY.write(NDArray(scalar: 2.0), to: dir.appendingPathComponent("s.npy").path)
        let scalar = try run(["eval", "s**3", "--var", "s=s.npy", "--out", "s3.npy"], in: dir)
        XCTAssertEqual(scalar.status, 0, scalar.stderr)
        let s3 = try NPY.read(path: dir.appendingPathComponent("s3.npy").path)
        XCTAssertEqual(s3.shape, [])
        XCTAssertEqual(s3.element(0), .float(8))
    }

    func testLeadingDashExpression() throws {
        let dir = try temporaryDirectory()
        try NPY.write(NDArray([1.0, 2.0, 3.0]), to: dir.appendingPathComponent("x.npy").path)
        for args in [["eval", "-x**2", "--var", "x=x.npy", "--out", "y.npy"],
                     ["eval", "--var", "x=x.npy", "-x**2", "--out", "y.npy"],
                     ["eval", "--var", "x=x.npy", "--out", "y.npy", "--", "-x**2"]] {
            let r = try run(args, in: dir)
            XCTAssertEqual(r.status, 0, "\(args): \(r.stderr)")
            XCTAssertEqual(try NPY.read(path: dir.appendingPathComponent("y.npy").path).doubles, [-1, -4, -9], "\(args)")
        }
        // From a file, verbatim.
        try "-x + 1\n".write(to: dir.appendingPathComponent("e.txt"), atomically: true, encoding: .utf8)
        let r = try run(["eval", "--expr-file", "e.txt", "--var", "x=x.npy"], in: dir)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stdout, "array([ 0., -1., -2.])\n")
    }

    /// `--` names the expression and options may follow it; an expression beginning with `--`
    /// (`--a`, the double negation of `a`) works with and without `--`, in eval, ir and asm, and
    /// as compile's `--expr` value.
    func testDoubleDashAndExpressionsStartingWithDashes() throws {
        let dir = try temporaryDirectory()
        try NPY.write(NDArray([1.5, -2.0, 3.0]), to: dir.appendingPathComponent("a.npy").path)
        let cases: [([String], String)] = [
            (["eval", "--", "--a", "--var", "a=a.npy"], "array([ 1.5, -2. ,  3. ])\n"),
            (["eval", "--a", "--var", "a=a.npy"], "array([ 1.5, -2. ,  3. ])\n"),
            (["eval", "--var", "a=a.npy", "--", "--a"], "array([ 1.5, -2. ,  3. ])\n"),
            (["eval", "--var", "a=a.npy", "--a", "--threads", "1"], "array([ 1.5, -2. ,  3. ])\n"),
            (["eval", "--", "-a", "--math", "strict", "--var", "a=a.npy"], "array([-1.5,  2. , -3. ])\n"),
            (["eval", "--math=strict", "-a*2", "--var", "a=a.npy"], "array([-3.,  4., -6.])\n"),
            (["eval", "--", "a", "--var", "a=a.npy"], "array([ 1.5, -2. ,  3. ])\n"),
        ]
        for (args, expected) in cases {
            let r = try run(args, in: dir)
            XCTAssertEqual(r.status, 0, "\(args): \(r.stderr)")
            XCTAssertEqual(r.stdout, expected, "\(args)")
        }
        for command in ["ir", "asm"] {
            for args in [[command, "--", "--a", "--type", "a=f64[]"], [command, "--type", "a=f64[]", "--a"]] {
                let r = try run(args, in: dir)
                XCTAssertEqual(r.status, 0, "\(args): \(r.stderr)")
                XCTAssertFalse(r.stdout.isEmpty, "\(args)")
            }
        }
        let compiled = try run(["compile", "--expr", "--a", "--signature", "a: f64[]", "--quiet"], in: dir)
        XCTAssertEqual(compiled.status, 0, compiled.stderr)
        // A mistyped option beside a real expression is still an unknown option.
        let typo = try run(["eval", "a", "--vr", "a=a.npy"], in: dir)
        XCTAssertEqual(typo.status, 2)
        XCTAssertTrue(typo.stderr.contains("--vr"), typo.stderr)
    }

    func testAsmPrintsAKernelsAssembly() throws {
        let dir = try temporaryDirectory()
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Examples/mandelbrot.sj").path
        // Declared types; the kernel's entry is a function with a return.
        let declared = try run(["asm", source, "--kernel", "mandelbrot"], in: dir)
        XCTAssertEqual(declared.status, 0, declared.stderr)
        XCTAssertTrue(declared.stdout.contains(".text") && declared.stdout.contains("ret"), declared.stdout)
        XCTAssertTrue(declared.stdout.contains("mulsd") || declared.stdout.contains("mulpd"), "the iteration's multiplies")
        // The same types given by name: the same code.
        let named = try run(["asm", source, "--kernel", "mandelbrot", "--type", "maxit=i64", "--type", "cr=f64[]"], in: dir)
        XCTAssertEqual(named.status, 0, named.stderr)
        XCTAssertEqual(named.stdout, declared.stdout)
        // Errors: a type against the declared one (at its place in the source), a kernel the file
        // does not have, a parameter it does not have, --streaming.
        let typed = try run(["asm", source, "--kernel", "mandelbrot", "--type", "maxit=i32"], in: dir)
        XCTAssertNotEqual(typed.status, 0)
        XCTAssertTrue(typed.stderr.contains("mandelbrot.sj:4:") && typed.stderr.contains("declared i64 but was given i32"),
                      typed.stderr)
        let unknown = try run(["asm", source, "--kernel", "mandelbrod"], in: dir)
        XCTAssertNotEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stderr.contains("mandelbrod"), unknown.stderr)
        let parameter = try run(["asm", source, "--kernel", "mandelbrot", "--type", "z=f64"], in: dir)
        XCTAssertNotEqual(parameter.status, 0)
        XCTAssertTrue(parameter.stderr.contains("no parameter 'z'"), parameter.stderr)
        let streaming = try run(["asm", source, "--kernel", "mandelbrot", "--streaming"], in: dir)
        XCTAssertNotEqual(streaming.status, 0)
        XCTAssertTrue(streaming.stderr.contains("--streaming is for expressions"), streaming.stderr)
    }

    func testExpressionErrorShowsCaret() throws {
        let dir = try temporaryDirectory()
        try NPY.write(NDArray([1.0, 2.0]), to: dir.appendingPathComponent("x.npy").path)
        let r = try run(["eval", "x +* 2", "--var", "x=x.npy"], in: dir)
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("^"), r.stderr)
        XCTAssertTrue(r.stderr.contains("x +* 2"), r.stderr)
        XCTAssertFalse(r.stderr.contains("Fatal error"), r.stderr)
        XCTAssertEqual(r.stdout, "")
    }

    func testBadArguments() throws {
        let dir = try temporaryDirectory()
        try NPY.write(NDArray([1.0, 2.0]), to: dir.appendingPathComponent("x.npy").path)

        let noEquals = try run(["eval", "x", "--var", "x.npy"], in: dir)
        XCTAssertEqual(noEquals.status, 2)
        XCTAssertTrue(noEquals.stderr.contains("NAME=PATH.npy"), noEquals.stderr)

        let missing = try run(["eval", "x", "--var", "x=nope.npy"], in: dir)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("nope.npy") && missing.stderr.contains("no such file"), missing.stderr)

        try Data("not numpy".utf8).write(to: dir.appendingPathComponent("bad.npy"))
        let bad = try run(["eval", "x", "--var", "x=bad.npy"], in: dir)
        XCTAssertEqual(bad.status, 1)
        XCTAssertTrue(bad.stderr.contains("magic"), bad.stderr)

        let math = try run(["eval", "x", "--var", "x=x.npy", "--math", "sloppy"], in: dir)
        XCTAssertEqual(math.status, 2)
        XCTAssertTrue(math.stderr.contains("sloppy"), math.stderr)

        let unbound = try run(["eval", "x + y", "--var", "x=x.npy"], in: dir)
        XCTAssertEqual(unbound.status, 1)
        XCTAssertTrue(unbound.stderr.contains("'y'"), unbound.stderr)
    }

    /// `--var` takes scalars as `run --arg` does; a variable the expression does not read is
    /// ignored with a note, or refused with --strict; scalar results print plainly.
    func testEvalScalarVariablesAndUnusedOnes() throws {
        let dir = try temporaryDirectory()
        try NPY.write(NDArray([1.0, 2.0]), to: dir.appendingPathComponent("x.npy").path)
        let scaled = try run(["eval", "x * k", "--var", "x=x.npy", "--var", "k=3.5"], in: dir)
        XCTAssertEqual(scaled.status, 0, scaled.stderr)
        XCTAssertEqual(scaled.stdout, "array([3.5, 7. ])\n")
        XCTAssertEqual(scaled.stderr, "")

        let scalars: [([String], String)] = [
            (["eval", "1 + 2"], "3\n"),
            (["eval", "n * (n - 1) // 2", "--var", "n=100"], "4950\n"),
            (["eval", "x / 2", "--var", "x=5"], "2.5\n"),
            (["eval", "complex(a, b)", "--var", "a=1.0", "--var", "b=2.0"], "(1+2j)\n"),
            (["eval", "b & (a > 1)", "--var", "a=1.5", "--var", "b=true"], "true\n"),
            (["eval", "i32(x)", "--var", "x=7"], "7\nint32\n"),
            (["eval", "sum(x)", "--var", "x=x.npy"], "3.0\n"),
        ]
        for (args, expected) in scalars {
            let r = try run(args, in: dir)
            XCTAssertEqual(r.status, 0, "\(args): \(r.stderr)")
            XCTAssertEqual(r.stdout, expected, "\(args)")
        }

        let unused = try run(["eval", "x * 2", "--var", "x=x.npy", "--var", "f=2"], in: dir)
        XCTAssertEqual(unused.status, 0, unused.stderr)
        XCTAssertEqual(unused.stdout, "array([2., 4.])\n")
        XCTAssertEqual(unused.stderr, "note: ignoring --var 'f': the expression reads x\n")

        let strict = try run(["eval", "x * 2", "--var", "x=x.npy", "--var", "f=2", "--strict"], in: dir)
        XCTAssertEqual(strict.status, 1)
        XCTAssertEqual(strict.stdout, "")
        XCTAssertTrue(strict.stderr.contains("unexpected variable 'f' (--strict); the expression reads x"), strict.stderr)

        let missing = try run(["eval", "x + y", "--var", "x=3"], in: dir)
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("no value for 'y'; give --var y=PATH.npy|VALUE"), missing.stderr)
    }

    /// File-system errors are one sentence naming the path and the reason (a path under a
    /// regular file fails as "not a directory" even for root, who may write anywhere else).
    func testFileErrorsAreOneSentence() throws {
        let dir = try temporaryDirectory()
        try "not a folder".write(to: dir.appendingPathComponent("file"), atomically: true, encoding: .utf8)
        let blocked = dir.appendingPathComponent("file").path
        let cache = try SwiftJITProcess.run(["eval", "x * 11 + 1", "--var", "x=3"], in: dir,
                                            environment: ["SWIFTJIT_CACHE_DIR": blocked + "/cache"])
        XCTAssertEqual(cache.status, 0, cache.stderr)
        XCTAssertEqual(cache.stdout, "34\n")
        XCTAssertEqual(cache.stderr, "swiftjit: warning: cannot write the object cache in '\(blocked)/cache': not a directory\n")

        let object = try run(["compile", "--expr", "x*3", "--signature", "x: f64[]", "--emit-object", blocked + "/x.o"], in: dir)
        XCTAssertEqual(object.status, 1)
        XCTAssertEqual(object.stderr, "error: cannot write '\(blocked)/x.o': not a directory\n")
        let out = try run(["eval", "x", "--var", "x=1", "--out", blocked + "/o.npy"], in: dir)
        XCTAssertEqual(out.stderr, "error: cannot write '\(blocked)/o.npy': not a directory\n")
        let source = try run(["run", blocked + "/k.sj", "k"], in: dir)
        XCTAssertEqual(source.stderr, "error: cannot read kernel source '\(blocked)/k.sj': no such file\n")
    }

    func testIRAndFunctions() throws {
        let dir = try temporaryDirectory()
        let ir = try run(["ir", "-x*2", "--type", "x=f64[]"], in: dir)
        XCTAssertEqual(ir.status, 0, ir.stderr)
        XCTAssertTrue(ir.stdout.contains("define"), ir.stdout)
        let typed = try run(["ir", "--typed", "x*2", "--type", "x=f64[]"], in: dir)
        XCTAssertEqual(typed.status, 0, typed.stderr)
        XCTAssertFalse(typed.stdout.isEmpty)
        let source = dir.appendingPathComponent("k.sj")
        try "kernel twice(a: f64[], n) -> f64 {\n    return a[0] * n\n}\n".write(to: source, atomically: true, encoding: .utf8)
        let kernel = try run(["ir", source.path, "--kernel", "twice", "--type", "n=i32", "--typed"], in: dir)
        XCTAssertEqual(kernel.status, 0, kernel.stderr)
        XCTAssertEqual(kernel.stdout, """
            kernel twice(a#0: f64[], n#1: i32) -> f64
            {
              return {$0: f64 = a#0[{const 0 : i64}@2:14]@2:12, $1: i32 = n#1 | %0 = arg $0 : f64; %1 = arg $1 : i32; \
            %2 = cast %1 : f64; %3 = mul %0, %2 : f64; ret %3}@2:12
            }

            """)
        let kernelLLVM = try run(["ir", source.path, "--kernel", "twice", "--type", "n=i32"], in: dir)
        XCTAssertEqual(kernelLLVM.status, 0, kernelLLVM.stderr)
        XCTAssertTrue(kernelLLVM.stdout.contains("define"), kernelLLVM.stdout)
        let untyped = try run(["ir", source.path, "--kernel", "twice", "--typed"], in: dir)
        XCTAssertNotEqual(untyped.status, 0)
        XCTAssertTrue(untyped.stderr.contains("give --type n=TYPE"), untyped.stderr)
        let functions = try run(["functions"], in: dir)
        XCTAssertEqual(functions.status, 0, functions.stderr)
        XCTAssertTrue(functions.stdout.contains("sin"), functions.stdout)
        let table = try run(["functions", "--json"], in: dir)
        XCTAssertEqual(table.status, 0, table.stderr)
        let rows = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(table.stdout.utf8)) as? [[String: Any]])
        XCTAssertEqual(rows.count, Builtins.all.count)
        // Every row, in order, with its vector lowering, C name, complex helper and bound.
        XCTAssertEqual(rows.map { $0["name"] as? String ?? "" }, Builtins.all.map(\.name))
        for (json, row) in zip(rows, Builtins.all) {
            XCTAssertEqual((json["vector"] as? [String: Any])?["kernel"] as? String, row.vector?.kernel.rawValue, row.name)
            XCTAssertEqual(json["libm"] as? String, row.libm, row.name)
            XCTAssertEqual(json["accepts_complex"] as? Bool, row.acceptsComplex, row.name)
            XCTAssertEqual((json["accuracy_ulp"] as? [String: Double])?["strict"], row.accuracy?.strict, row.name)
            if case .helper(let symbol)? = row.complex {
                XCTAssertEqual((json["complex"] as? [String: Any])?["symbol"] as? String, symbol, row.name)
            }
        }
        let sin = try XCTUnwrap(rows.first { $0["name"] as? String == "sin" })
        XCTAssertEqual(sin["arity"] as? Int, 1)
        XCTAssertEqual((sin["typing"] as? [String: Any])?["rule"] as? String, "floatUnary")
        XCTAssertEqual((sin["lowering"] as? [String: Any])?["symbol"] as? String, "llvm.sin")
        let f32 = try XCTUnwrap(rows.first { ($0["typing"] as? [String: Any])?["dtype"] as? String == "float32" })
        XCTAssertEqual((f32["typing"] as? [String: Any])?["rule"] as? String, "conversion")
    }
}

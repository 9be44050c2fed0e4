import Glibc

/// libFuzzer's entry when the fuzz build links it: `LLVMFuzzerRunDriver` (libFuzzer ≥ 11) lets this program keep
/// its own `main` and choose the target by name, so one executable serves all targets and the normal build
/// (which does not link libFuzzer) still has a working `replay` and `mutate`.
enum LibFuzzer {
    nonisolated(unsafe) static var current: FuzzTarget?

    static func run(_ target: FuzzTarget, arguments: [String]) -> Never {
        #if STARFLEET_FUZZ
            current = target
            var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
            var argc = CInt(arguments.count)
            let status = argv.withUnsafeMutableBufferPointer { buffer -> CInt in
                var base = buffer.baseAddress
                return LLVMFuzzerRunDriver(&argc, &base) { data, size in
                    guard let current = LibFuzzer.current else { return 0 }
                    current.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
                    return 0
                }
            }
            exit(status)
        #else
            complain("starfleet-fuzz: this build has no libFuzzer; build with scripts/e2e/fuzz.sh, or use replay / mutate")
            exit(69)
        #endif
    }
}

#if STARFLEET_FUZZ
    @_silgen_name("LLVMFuzzerRunDriver")
    func LLVMFuzzerRunDriver(
        _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt

    /// libFuzzer requires this symbol to exist even when the driver is started through LLVMFuzzerRunDriver.
    @_cdecl("LLVMFuzzerTestOneInput")
    package func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
        guard let current = LibFuzzer.current else { return 0 }
        current.run(size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size)))
        return 0
    }
#endif

// starfleet-fuzz: the fuzz targets of docs/testing (scripts/e2e/fuzz.sh runs them).
//   starfleet-fuzz list                              the target names
//   starfleet-fuzz replay TARGET PATH…               run every file (or every file in a folder) once
//   starfleet-fuzz mutate TARGET SECONDS CORPUS…     a random-mutation fuzzer (no coverage): corpus files and
//                                                    mutations of them until SECONDS pass
//   starfleet-fuzz TARGET [libFuzzer flags] [CORPUS…] libFuzzer itself, only in the fuzz build (-DSTARFLEET_FUZZ,
//                                                    -sanitize=fuzzer,address; see scripts/e2e/fuzz.sh)
// A crash in any mode is a bug in the code under test: the input that caused it is printed or saved.
import FoundationEssentials
import Glibc

func usage() -> Never {
    let names = FuzzTarget.all.map(\.name).joined(separator: ", ")
    complain(
        "usage: starfleet-fuzz list | replay TARGET PATH… | mutate TARGET SECONDS CORPUS… | TARGET [libFuzzer args]\n"
            + "targets: \(names)")
    exit(64)
}

let arguments = CommandLine.arguments
guard arguments.count >= 2 else { usage() }
switch arguments[1] {
case "list":
    for target in FuzzTarget.all { print(target.name) }
case "replay":
    guard arguments.count >= 4, let target = FuzzTarget.named(arguments[2]) else { usage() }
    let files = Corpus.files(Array(arguments[3...]))
    for file in files {
        // Printed first so the input that traps is the last line before the crash; flushed, because into a file
        // or a pipe (scripts/e2e/fuzz.sh) the line would otherwise die in the buffer with the process.
        print("replay \(target.name) \(file)")
        fflush(nil)
        target.run(Corpus.read(file))
    }
    print("replayed \(files.count) inputs through \(target.name)")
case "mutate":
    guard arguments.count >= 5, let target = FuzzTarget.named(arguments[2]), let seconds = Double(arguments[3]) else { usage() }
    Mutator.run(target, seconds: seconds, corpus: Corpus.files(Array(arguments[4...])))
default:
    guard let target = FuzzTarget.named(arguments[1]) else { usage() }
    LibFuzzer.run(target, arguments: [arguments[0]] + arguments[2...])
}

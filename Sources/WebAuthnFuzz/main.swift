import Foundation
import WebAuthn

// Fuzz targets for the parsers that read bytes from the network: the CBOR decoder, and attestation objects
// through every attestation format's statement parsing. Built with `-sanitize=fuzzer -D FUZZING` by `make fuzz`,
// which hands control to libFuzzer; built plainly (as `swift build` does), it replays the files named on the
// command line, so that a crashing input found once stays a reproducible case.

/// Runs one input through `target`. Every outcome but a crash, a hang or unbounded memory is acceptable.
func exercise(_ target: String, _ bytes: [UInt8]) {
    switch target {
    case "cbor":
        let decoder = CBORDecoder()
        _ = try? decoder.decode(bytes)
        _ = try? decoder.decodePrefix(bytes)
    case "attestation":
        exerciseAttestation(bytes)
    default:
        FileHandle.standardError.write(Data("unknown fuzz target \(target): use cbor or attestation\n".utf8))
        exit(2)
    }
}

/// Reads the input as an attestation object and runs its format's verification procedure on it, skipping the
/// ceremony checks (RP ID, challenge) that a fuzzer could not get past, so that the statement parsers are reached.
func exerciseAttestation(_ bytes: [UInt8]) {
    guard let object = try? CBORDecoder().decode(bytes), let format = object["fmt"]?.text, let statement = object["attStmt"],
          let authData = object["authData"]?.bytes, let authenticatorData = try? AuthenticatorData(authData),
          let verifier = AttestationFormats.format(format)
    else { return }
    let input = AttestationInput(
        statement: statement, authenticatorData: authenticatorData, clientDataHash: Array(repeating: 0, count: 32),
        trustAnchors: [], now: Date(timeIntervalSince1970: 1_795_000_000))
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        _ = try? await verifier.verify(input)
        done.signal()
    }
    done.wait()
}

#if FUZZING
/// libFuzzer's entry for programs with a main of their own.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// The target, from `FUZZ_TARGET`: the callback is a C function and cannot capture it.
let fuzzTarget = ProcessInfo.processInfo.environment["FUZZ_TARGET"] ?? "cbor"

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in
    exercise(fuzzTarget, data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
})
#else
let arguments = CommandLine.arguments.dropFirst()
guard let target = arguments.first else {
    FileHandle.standardError.write(Data("usage: webauthn-fuzz cbor|attestation FILE...\n".utf8))
    exit(2)
}
for path in arguments.dropFirst() {
    guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
        exit(2)
    }
    exercise(target, Array(data))
}
print("replayed \(arguments.count - 1) input(s) through \(target) without a crash")
#endif

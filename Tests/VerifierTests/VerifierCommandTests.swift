import ArgumentParser
import Testing
@testable import Verifier

@Suite("verifier command line")
struct VerifierCommandTests {
    @Test("--version names the ledger format the verifier understands")
    func versionNamesFormat() {
        #expect(VerifierCommand.configuration.version == "verifier (ledger format 1)")
    }
}

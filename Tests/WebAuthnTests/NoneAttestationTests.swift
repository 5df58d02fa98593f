import Testing
import WebAuthn
import WebAuthnTestSupport

@Suite("none attestation (§8.7)")
struct NoneAttestationTests {
    let credential = SoftwareCredential()

    @Test("An empty statement verifies as no attestation")
    func emptyStatementVerifies() async throws {
        let input = try AttestationFixtures.input(statement: .map([]), authenticatorData: credential.authenticatorData())
        #expect(try await NoneAttestation.verify(input) == .none)
    }

    @Test("A statement with a field is refused")
    func nonEmptyStatementIsRefused() async throws {
        let statement = AttestationFixtures.statement([("sig", .bytes(credential.sign([1, 2, 3])))])
        let input = try AttestationFixtures.input(statement: statement, authenticatorData: credential.authenticatorData())
        await #expect(throws: WebAuthnError.attestation(format: "none", "attStmt is not the empty map")) {
            try await NoneAttestation.verify(input)
        }
    }

    @Test("A statement that is not a map is refused", arguments: [CBORValue.null, .array([]), .bytes([])])
    func statementThatIsNotAMapIsRefused(statement: CBORValue) async throws {
        let input = try AttestationFixtures.input(statement: statement, authenticatorData: credential.authenticatorData())
        await #expect(throws: WebAuthnError.attestation(format: "none", "attStmt is not a map")) {
            try await NoneAttestation.verify(input)
        }
    }

    @Test("The format identifier is none")
    func identifierIsNone() {
        #expect(NoneAttestation.identifier == "none")
    }
}

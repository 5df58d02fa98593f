/// An attestation object (WebAuthn §6.5): a CBOR map of exactly `fmt`, `attStmt` and `authData`.
struct AttestationObject {
    let format: String
    let statement: CBORValue
    let authenticatorData: AuthenticatorData

    init(_ bytes: [UInt8]) throws(WebAuthnError) {
        let value: CBORValue
        do {
            value = try CBORDecoder().decode(bytes)
        } catch {
            throw .cbor("attestation object", error)
        }
        guard let entries = value.map else { throw .attestationObject("it is not a map") }
        guard entries.count == 3, let format = value["fmt"]?.text, let statement = value["attStmt"], statement.map != nil,
              let authData = value["authData"]?.bytes
        else { throw .attestationObject("it must hold exactly fmt (text), attStmt (map) and authData (bytes)") }
        self.format = format
        self.statement = statement
        self.authenticatorData = try AuthenticatorData(authData)
    }
}

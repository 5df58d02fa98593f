import Foundation
import GatewayAPI
import OpenAPIRuntime
import WebAuthn

/// `/v1/webauthn/...`: the passkey ceremonies and the caller's passkeys.
extension GatewayHandlers {
    func passkeyRegistrationOptions(
        _ input: Operations.PasskeyRegistrationOptions.Input
    ) async throws -> Operations.PasskeyRegistrationOptions.Output {
        let principal = try await signedIn()
        do {
            return .ok(.init(body: .json(.init(try await passkeys.registrationOptions(for: principal), settings: passkeys.settings))))
        } catch Passkeys.Refusal.tooManyPasskeys {
            throw APIError.conflict("This account holds \(PasskeyCredentials.maximumPerAccount) passkeys, the most allowed. Remove one first.")
        }
    }

    func passkeyRegistrationVerify(
        _ input: Operations.PasskeyRegistrationVerify.Input
    ) async throws -> Operations.PasskeyRegistrationVerify.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let scope = RequestScope.current
        let principal = try await signedIn()
        let name = try body.name.map { try FieldValidation.text($0, field: "name", maximum: 100) }
        do {
            let passkey = try await passkeys.register(
                RegistrationResponseJSON(body.credential), name: name, principal: principal, requestID: scope?.requestID,
                clientAddress: scope?.clientAddress)
            return .created(.init(body: .json(.init(passkey))))
        } catch let refusal as Passkeys.Refusal {
            switch refusal {
            case .alreadyRegistered: throw APIError.conflict("This passkey is registered already.")
            case .tooManyPasskeys:
                throw APIError.conflict("This account holds \(PasskeyCredentials.maximumPerAccount) passkeys, the most allowed. Remove one first.")
            case .challengeNotValid:
                throw APIError.invalidField("credential", "The challenge is unknown, used or expired. Start adding the passkey again.")
            default: throw APIError.invalidField("credential", "The passkey was not accepted: \(refusal.reason).")
            }
        } catch is LedgerWriteError {
            throw APIError.unavailable("The passkey could not be recorded; nothing was stored. Try again shortly.")
        }
    }

    func passkeyLoginOptions(_ input: Operations.PasskeyLoginOptions.Input) async throws -> Operations.PasskeyLoginOptions.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let email = try body.email.map { try FieldValidation.text($0, field: "email", maximum: 320) }
        return .ok(.init(body: .json(.init(try await passkeys.signInOptions(email: email), settings: passkeys.settings))))
    }

    func passkeyLoginVerify(_ input: Operations.PasskeyLoginVerify.Input) async throws -> Operations.PasskeyLoginVerify.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let scope = RequestScope.current
        do {
            let session = try await passkeys.signIn(
                AuthenticationResponseJSON(body.credential), requestID: scope?.requestID, clientAddress: scope?.clientAddress)
            return .ok(.init(body: .json(.init(session))))
        } catch let refusal as Passkeys.Refusal {
            throw APIError.signInRefused(Self.signInAdvice(refusal))
        } catch is LedgerWriteError {
            throw APIError.unavailable("The sign-in could not be recorded, so it was not completed. Try again shortly.")
        }
    }

    func passkeyStepUpOptions(_ input: Operations.PasskeyStepUpOptions.Input) async throws -> Operations.PasskeyStepUpOptions.Output {
        let principal = try await signedIn()
        do {
            return .ok(.init(body: .json(.init(try await passkeys.stepUpOptions(for: principal), settings: passkeys.settings))))
        } catch Passkeys.Refusal.noPasskeys {
            throw APIError.conflict("This account has no passkey to step up with. Add one first.")
        }
    }

    func passkeyStepUpVerify(_ input: Operations.PasskeyStepUpVerify.Input) async throws -> Operations.PasskeyStepUpVerify.Output {
        guard case .json(let body) = input.body else { throw APIError.unsupportedMediaType }
        let scope = RequestScope.current
        let principal = try await signedIn()
        do {
            let result = try await passkeys.stepUp(
                AuthenticationResponseJSON(body.credential), principal: principal, requestID: scope?.requestID,
                clientAddress: scope?.clientAddress)
            return .ok(.init(body: .json(.init(
                accessToken: result.accessToken, tokenType: .bearer, expiresIn: passkeys.accountSettings.accessTokenLifetime,
                steppedUpAt: result.steppedUpAt))))
        } catch let refusal as Passkeys.Refusal {
            throw APIError.forbidden("The step-up did not succeed: \(Self.signInAdvice(refusal))")
        } catch is LedgerWriteError {
            throw APIError.unavailable("The step-up could not be recorded, so it was not completed. Try again shortly.")
        }
    }

    func listPasskeys(_ input: Operations.ListPasskeys.Input) async throws -> Operations.ListPasskeys.Output {
        let principal = try await signedIn()
        return .ok(.init(body: .json(.init(passkeys: try await passkeys.list(for: principal).map(Components.Schemas.Passkey.init)))))
    }

    func removePasskey(_ input: Operations.RemovePasskey.Input) async throws -> Operations.RemovePasskey.Output {
        let scope = RequestScope.current
        let principal = try await signedIn()
        guard let credentialID = Base64URL.decode(input.path.id), !credentialID.isEmpty else { throw APIError.notFound }
        do {
            guard try await passkeys.remove(
                credentialID, principal: principal, requestID: scope?.requestID, clientAddress: scope?.clientAddress)
            else { throw APIError.notFound }
        } catch is LedgerWriteError {
            throw APIError.unavailable("The removal could not be recorded; the passkey is still there. Try again shortly.")
        }
        return .noContent(.init())
    }

    /// What a person should do after a refused passkey ceremony.
    private static func signInAdvice(_ refusal: Passkeys.Refusal) -> String {
        switch refusal {
        case .challengeNotValid: "The sign-in took too long or was already used. Start again."
        case .unknownPasskey: "This passkey is not registered here. Sign in another way and add it."
        case .accountCannotSignIn: "This account cannot sign in. Ask an administrator."
        case .signCountRegression:
            "This passkey reported a signature counter that went backwards, which may mean it was copied. It was refused and your security team alerted."
        case .notVerified(.userNotVerified):
            "Your role requires the authenticator to verify you (PIN or biometrics), and it did not."
        default: "The passkey could not be verified (\(refusal.reason))."
        }
    }
}

extension Components.Schemas.PublicKeyCredentialCreationOptions {
    init(_ options: Passkeys.CreationOptions, settings: PasskeySettings) {
        self.init(
            rp: .init(id: settings.relyingPartyID, name: settings.relyingPartyName),
            user: .init(id: Base64URL.encode(options.userHandle), name: options.userName, displayName: options.displayName),
            challenge: Base64URL.encode(options.challenge),
            pubKeyCredParams: Passkeys.offeredAlgorithms.map { .init(_type: .publicKey, alg: Int($0.rawValue)) },
            timeout: options.timeoutMilliseconds,
            excludeCredentials: options.excludeCredentials.map(Components.Schemas.PublicKeyCredentialDescriptor.init),
            // A discoverable credential lets the person sign in without typing an email.
            authenticatorSelection: .init(
                residentKey: .required, requireResidentKey: true,
                userVerification: .init(rawValue: options.userVerification) ?? .required),
            attestation: .none)
    }
}

extension Components.Schemas.PublicKeyCredentialRequestOptions {
    init(_ options: Passkeys.RequestOptions, settings: PasskeySettings) {
        self.init(
            challenge: Base64URL.encode(options.challenge), timeout: options.timeoutMilliseconds, rpId: settings.relyingPartyID,
            allowCredentials: options.allowCredentials.map(Components.Schemas.PublicKeyCredentialDescriptor.init),
            userVerification: .init(rawValue: options.userVerification) ?? .required)
    }
}

extension Components.Schemas.PublicKeyCredentialDescriptor {
    init(_ descriptor: Passkeys.Descriptor) {
        self.init(_type: .publicKey, id: Base64URL.encode(descriptor.id), transports: descriptor.transports.isEmpty ? nil : descriptor.transports)
    }
}

extension Components.Schemas.Passkey {
    init(_ passkey: StoredPasskey) {
        self.init(
            id: Base64URL.encode(passkey.id), name: passkey.name, createdAt: passkey.createdAt, lastUsedAt: passkey.lastUsedAt,
            transports: passkey.transports, aaguid: passkey.aaguid == AAGUID.unknown ? nil : passkey.aaguid.text,
            attestationFormat: passkey.attestationFormat, backupEligible: passkey.backupEligible, backedUp: passkey.backedUp,
            userVerified: passkey.userVerified)
    }
}

extension RegistrationResponseJSON {
    init(_ credential: Components.Schemas.RegistrationCredential) {
        self.init(
            id: credential.id, rawId: credential.rawId, type: credential._type,
            response: AuthenticatorAttestationResponseJSON(
                clientDataJSON: credential.response.clientDataJSON, attestationObject: credential.response.attestationObject,
                transports: credential.response.transports),
            authenticatorAttachment: credential.authenticatorAttachment)
    }
}

extension AuthenticationResponseJSON {
    init(_ credential: Components.Schemas.AuthenticationCredential) {
        self.init(
            id: credential.id, rawId: credential.rawId, type: credential._type,
            response: AuthenticatorAssertionResponseJSON(
                clientDataJSON: credential.response.clientDataJSON, authenticatorData: credential.response.authenticatorData,
                signature: credential.response.signature, userHandle: credential.response.userHandle))
    }
}

import Foundation
import GatewayAPI
import OpenAPIRuntime
import Prometheus

/// Implements the generated OpenAPI server protocol. Each area of the API adds its operations in an extension
/// in its own file. A class: the generated router copies its handler for every request, and a copy of a struct of
/// seventeen services was hundreds of reference counts each time.
final class GatewayHandlers: APIProtocol {
    let readiness: ReadinessProbe
    let metrics: PrometheusCollectorRegistry
    let contract: Data
    let enrolment: Enrolment
    let sessions: SessionServices
    let passkeys: Passkeys
    let users: UserAdministration
    let access: AccessControl
    let patients: PatientRegistry
    let careTeams: CareTeams
    let breakGlassGrants: BreakGlass
    let notes: ClinicalNotes
    let tasks: CareTasks
    let disclosures: Disclosures
    let shredding: PatientShredding
    let audit: AccessAudit
    let bundles: AuditBundles

    init(
        readiness: ReadinessProbe,
        metrics: PrometheusCollectorRegistry,
        contract: Data,
        enrolment: Enrolment,
        sessions: SessionServices,
        passkeys: Passkeys,
        users: UserAdministration,
        access: AccessControl,
        patients: PatientRegistry,
        careTeams: CareTeams,
        breakGlassGrants: BreakGlass,
        notes: ClinicalNotes,
        tasks: CareTasks,
        disclosures: Disclosures,
        shredding: PatientShredding,
        audit: AccessAudit,
        bundles: AuditBundles
    ) {
        self.readiness = readiness
        self.metrics = metrics
        self.contract = contract
        self.enrolment = enrolment
        self.sessions = sessions
        self.passkeys = passkeys
        self.users = users
        self.access = access
        self.patients = patients
        self.careTeams = careTeams
        self.breakGlassGrants = breakGlassGrants
        self.notes = notes
        self.tasks = tasks
        self.disclosures = disclosures
        self.shredding = shredding
        self.audit = audit
        self.bundles = bundles
    }

    func getLiveness(_ input: Operations.GetLiveness.Input) async throws -> Operations.GetLiveness.Output {
        .ok(.init(body: .json(.init(status: .ok))))
    }

    func getReadiness(_ input: Operations.GetReadiness.Input) async throws -> Operations.GetReadiness.Output {
        let report = await readiness.check()
        func schema(_ check: ReadinessProbe.Check) -> Components.Schemas.ReadinessCheck {
            .init(ok: check.ok, detail: check.detail)
        }
        let body = Components.Schemas.Readiness(
            status: report.isReady ? .ready : .notReady,
            checks: .init(
                database: schema(report.database), migrations: schema(report.migrations),
                signingKey: schema(report.signingKey)))
        return report.isReady ? .ok(.init(body: .json(body))) : .serviceUnavailable(.init(body: .json(body)))
    }

    func getMetrics(_ input: Operations.GetMetrics.Input) async throws -> Operations.GetMetrics.Output {
        .ok(.init(body: .plainText(HTTPBody(metrics.emitToBuffer()))))
    }

    func getOpenAPIDocument(_ input: Operations.GetOpenAPIDocument.Input) async throws -> Operations.GetOpenAPIDocument.Output {
        .ok(.init(body: .yaml(HTTPBody(contract))))
    }
}

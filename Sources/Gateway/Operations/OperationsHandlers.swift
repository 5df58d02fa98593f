import Foundation
import GatewayAPI
import OpenAPIRuntime
import Prometheus

/// Implements the generated OpenAPI server protocol. Each area of the API adds its operations in an extension
/// in its own file.
struct GatewayHandlers: APIProtocol {
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

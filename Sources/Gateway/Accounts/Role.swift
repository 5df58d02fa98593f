/// The roles an account can hold (DESIGN §6). An allow-list: a role name outside it is refused wherever roles are
/// given, so a typo cannot create a role no policy knows.
enum Role: String, CaseIterable, Sendable {
    case admin
    case clinician
    case nurse
    case complianceOfficer = "compliance_officer"
    case securityReviewer = "security_reviewer"
    case service

    /// The names checked against the allow-list, without duplicates and in a stable order; or the first unknown one.
    static func validated(_ names: [String]) -> Result<[String], UnknownRole> {
        var seen: Set<String> = []
        for name in names where Role(rawValue: name) == nil {
            return .failure(UnknownRole(name: name))
        }
        return .success(names.filter { seen.insert($0).inserted }.sorted())
    }

    struct UnknownRole: Error, Equatable {
        let name: String
    }
}

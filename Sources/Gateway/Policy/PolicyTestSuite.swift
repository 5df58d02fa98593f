import Foundation

/// The decision tests under `policies/tests/`, run by `gateway policy test` and by the test suite.
struct PolicyTestSuite: Sendable {
    let cases: [PolicyTestCase]

    struct Failure: Sendable, CustomStringConvertible {
        let testCase: PolicyTestCase
        let reason: String
        var description: String { "\(testCase.origin): \(testCase.name): \(reason)" }
    }

    /// Reads every `*.yaml` file in `directory`.
    static func load(directory: String) throws(PolicyFileError) -> PolicyTestSuite {
        var cases: [PolicyTestCase] = []
        for file in try PolicyLoader.yamlFiles(in: directory, what: "the policy test directory") {
            cases += try PolicyTestCase.cases(in: file.text, file: (directory as NSString).appendingPathComponent(file.name))
        }
        return PolicyTestSuite(cases: cases)
    }

    func failures(against policy: PolicySet) -> [Failure] {
        cases.compactMap { testCase in testCase.failure(against: policy).map { Failure(testCase: testCase, reason: $0) } }
    }
}

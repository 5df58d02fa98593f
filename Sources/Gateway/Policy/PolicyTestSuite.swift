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
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".yaml") }.sorted()
        } catch {
            throw PolicyFileError(file: directory, line: 0, reason: "cannot read the policy test directory")
        }
        var cases: [PolicyTestCase] = []
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw PolicyFileError(file: path, line: 0, reason: "cannot be read as UTF-8 text")
            }
            cases += try PolicyTestCase.cases(in: text, file: path)
        }
        return PolicyTestSuite(cases: cases)
    }

    func failures(against policy: PolicySet) -> [Failure] {
        cases.compactMap { testCase in testCase.failure(against: policy).map { Failure(testCase: testCase, reason: $0) } }
    }
}

import Foundation
import GatewayAPI
import Testing
@testable import Gateway

@Suite("Naming the refused query parameter from the contract")
struct QueryParameterCheckTests {
    @Test("reads every operation's query parameters from the served contract, through shared parameter references")
    func readsTheContract() throws {
        let check = try #require(QueryParameterCheck.contract)
        let tasks = try #require(check.operations["listTasks"])
        #expect(tasks["sort"] == .oneOf(["due", "-due", "priority", "-priority", "created", "-created"]))
        #expect(tasks["limit"] == .integer(minimum: 1, maximum: 200))
        #expect(tasks["dueFrom"] == .dateTime && tasks["title"] == .text)
        #expect(check.operations["listAccessAudit"]?["breakGlass"] == .boolean)
    }

    @Test("names the first parameter whose value its schema refuses, percent-decoded, and nothing for a valid query")
    func namesTheParameter() throws {
        let check = try #require(QueryParameterCheck.contract)
        #expect(check.firstRefused(operationID: "listTasks", query: "status=open&sort=title") == "sort")
        #expect(check.firstRefused(operationID: "listTasks", query: "limit=500") == "limit")
        #expect(check.firstRefused(operationID: "listTasks", query: "dueFrom=tomorrow") == "dueFrom")
        #expect(check.firstRefused(operationID: "listAccessAudit", query: "breakGlass=yes") == "breakGlass")
        #expect(check.firstRefused(operationID: "listTasks", query: "sort=-due&dueFrom=2026-11-22T09%3A00%3A00Z&title=x") == nil)
        #expect(check.firstRefused(operationID: "noSuchOperation", query: "sort=title") == nil)
    }
}

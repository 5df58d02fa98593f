import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing
@testable import Gateway

@Suite("Structured request logs")
struct RequestLoggingTests {
    @Test("every request line is JSON with a request id, and never holds bodies, tokens, cookies or query strings")
    func logsCarryRequestIDAndNoSecrets() async throws {
        let sink = CapturingLogSink()
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await TestGateway.withApp(database: database, sink: sink) { client in
                try await client.execute(
                    uri: "/health/live?name=Jane%20Secretpatient", method: .get,
                    headers: [.authorization: "Bearer token-that-must-not-leak", .cookie: "session=cookie-that-must-not-leak"]
                ) { response in
                    #expect(response.status == .ok)
                }
                try await client.execute(
                    uri: "/no/such/route", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: #"{"name":"Body-that-must-not-leak"}"#)
                ) { _ in }
            }
        }
        let lines = sink.lines
        let requestLines = lines.filter { $0.contains(#""message":"request""#) }
        #expect(requestLines.count == 2)
        for line in requestLines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
            #expect(object["request_id"]?.isEmpty == false)
            #expect(object["path"] != nil)
            #expect(object["status"] != nil)
        }
        for line in lines {
            #expect(!line.contains("must-not-leak"), "a secret reached the log: \(line)")
            #expect(!line.contains("Secretpatient"), "a query string reached the log: \(line)")
        }
    }
}

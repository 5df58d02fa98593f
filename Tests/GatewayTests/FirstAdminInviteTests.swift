import Foundation
import Ledger
import NIOCore
import PostgresNIO
import Testing
@testable import Gateway

@Suite("The first administrator's invite")
struct FirstAdminInviteTests {
    let logger = TestPostgres.logger

    private func invites(_ client: PostgresClient) async throws -> [(hash: [UInt8], used: Bool)] {
        var result: [([UInt8], Bool)] = []
        let rows = try await client.query("SELECT token_hash, used_at IS NOT NULL FROM enrolment_invites ORDER BY created_at", logger: logger)
        for try await (hash, used) in rows.decode((ByteBuffer, Bool).self) { result.append((Array(buffer: hash), used)) }
        return result
    }

    @Test("the first call creates an invited admin and a hashed one-time token, recorded in the ledger")
    func firstInvite() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await WriterHarness.with(database) { harness in
                let invite = FirstAdminInvite(client: harness.client, writer: harness.writer, logger: logger)
                let issued = try #require(try await invite.issue(email: "Admin@Hospital.example", name: "Ada Admin"))
                #expect(issued.token.text.count == 43)
                let stored = try await invites(harness.client)
                #expect(stored.map(\.hash) == [OpaqueToken.hash(of: issued.token.text)])
                #expect(!stored.contains { $0.hash == Array(issued.token.text.utf8) })
                let entries = try await harness.verifiedChain()
                #expect(entries.last?.entry.action == "user.invite")
                #expect(entries.last?.entry.resource?.type == "user")
                let email = try await database.withClient(database.appURL) { client in
                    var email = ""
                    for try await (value, status) in try await client.query("SELECT email, status FROM users", logger: logger)
                        .decode((String, String).self) { email = value + "/" + status }
                    return email
                }
                #expect(email == "admin@hospital.example/invited")
            }
        }
    }

    @Test("a second call withdraws the earlier token; none is issued once an admin is active")
    func reissueAndStop() async throws {
        try await TestPostgres.withDatabase { database in
            try await database.migrate()
            try await WriterHarness.with(database) { harness in
                let invite = FirstAdminInvite(client: harness.client, writer: harness.writer, logger: logger)
                let first = try #require(try await invite.issue(email: "admin@localhost", name: "Admin"))
                let second = try #require(try await invite.issue(email: "admin@localhost", name: "Admin"))
                #expect(first.token.text != second.token.text)
                let stored = try await invites(harness.client)
                #expect(stored.count == 2)
                #expect(stored.first { $0.hash == first.token.hash }?.used == true)
                #expect(stored.first { $0.hash == second.token.hash }?.used == false)
                try await database.withClient(database.ownerURL) { client in
                    try await client.query("UPDATE users SET status = 'active'", logger: logger)
                }
                let third = try await invite.issue(email: "admin@localhost", name: "Admin")
                #expect(third == nil)
            }
        }
    }
}

import NIOCore
import NIOPosix
import Testing
@testable import Gateway

@Suite("Database connections are spread over every event loop")
struct SpreadEventLoopsTests {
    @Test("asked from one of its own loops, the group still hands out each loop in turn")
    func spreadsFromALoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 3)
        let spread = SpreadEventLoops(group)
        let home = group.next()
        let (handedOut, plain) = try await home.submit {
            (Set((0..<6).map { _ in ObjectIdentifier(spread.any()) }), Set((0..<6).map { _ in ObjectIdentifier(group.any()) }))
        }.get()
        #expect(handedOut.count == 3)
        // What the plain group does, which the wrapper exists to avoid: always the caller's own loop.
        #expect(plain == [ObjectIdentifier(home)])
        try await group.shutdownGracefully()
    }
}

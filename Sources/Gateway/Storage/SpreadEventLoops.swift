import Dispatch
import NIOCore
import NIOPosix

/// The process's event loops, handed out in turn even to a caller that is already on one of them.
///
/// PostgresNIO opens each pooled connection on `eventLoopGroup.any()`, which is the caller's own loop when it has
/// one. The pool opens its connections from a task on one loop, so every connection would land on that loop; and
/// since NIO's loops are the global executor (`GatewayMain`), a request's work follows its database replies there,
/// leaving the machine's other cores all but idle.
final class SpreadEventLoops: EventLoopGroup, Sendable {
    /// Spreads the loops of NIO's process-wide group.
    static let shared = SpreadEventLoops(MultiThreadedEventLoopGroup.singleton)

    private let base: any EventLoopGroup

    init(_ base: any EventLoopGroup) {
        self.base = base
    }

    func next() -> any EventLoop {
        base.next()
    }

    func any() -> any EventLoop {
        base.next()
    }

    func makeIterator() -> EventLoopIterator {
        base.makeIterator()
    }

    func shutdownGracefully(queue: DispatchQueue, _ callback: @escaping @Sendable ((any Error)?) -> Void) {
        base.shutdownGracefully(queue: queue, callback)
    }
}

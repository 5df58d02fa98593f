import NIOCore
import NIOPosix

/// A thread of the ledger writer's own: the event loop its database connections run on, and the executor its
/// batch loop prefers.
///
/// The writer is the one point every ledgered request passes through, one batch at a time. On the event loops that
/// also serve HTTP, each step of a batch (BEGIN, the batch's statement, COMMIT, and the writer's task between them)
/// waited behind the requests queued on that loop, so under load a batch took several times its database time. On
/// a thread of its own, mostly asleep, the writer is woken as soon as the database answers.
final class WriterThread: TaskExecutor {
    /// One thread for every writer in the process.
    static let shared = WriterThread()

    /// The thread's event loop, as a group for `PostgresClient`.
    let group: MultiThreadedEventLoopGroup
    /// The thread's event loop, for the writer's timers.
    let loop: any EventLoop

    private init() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        loop.execute { job.runSynchronously(on: executor) }
    }
}

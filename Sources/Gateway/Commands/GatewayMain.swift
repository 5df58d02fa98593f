import ArgumentParser
import Dispatch
import NIOCore
import NIOPosix

/// The process entry point. Before any Swift concurrency runs, NIO's event loops are installed as the global
/// executor, so a task that awaits a database or network reply resumes on the thread that received it instead
/// of hopping to another pool; on a small machine this more than halves the cost of every query round trip.
@main
enum GatewayMain {
    static func main() {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        let finished = DispatchSemaphore(value: 0)
        // Detached: main() runs on the main actor, whose thread the semaphore below blocks.
        Task.detached {
            await GatewayCommand.main()
            finished.signal()
        }
        finished.wait()
    }
}

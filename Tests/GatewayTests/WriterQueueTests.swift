import NIOCore
import NIOPosix
import Testing
@testable import Gateway

@Suite("WriterQueue: the writer waits for callers that are still arriving, and not for ever")
struct WriterQueueTests {
    let loop = MultiThreadedEventLoopGroup.singleton.next()

    @Test("gather returns as soon as the count it waits for is reached, long before its limit")
    func gatherReturnsAtCount() async {
        let queue = WriterQueue<Int>()
        _ = queue.enqueue(1)
        Task {
            for item in 2...5 {
                try? await Task.sleep(for: .milliseconds(5))
                _ = queue.enqueue(item)
            }
        }
        let started = ContinuousClock.now
        await queue.gather(5, within: .seconds(30), on: loop)
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(queue.take(upTo: 10) == [1, 2, 3, 4, 5])
    }

    @Test("gather gives up after its limit when the count is not reached")
    func gatherGivesUp() async {
        let queue = WriterQueue<Int>()
        _ = queue.enqueue(1)
        let started = ContinuousClock.now
        await queue.gather(3, within: .milliseconds(50), on: loop)
        #expect(ContinuousClock.now - started >= .milliseconds(50))
        #expect(queue.take(upTo: 10) == [1])
    }

    @Test("the timer of a gathering that ended early does not cut the next one short")
    func staleTimerIgnored() async {
        let queue = WriterQueue<Int>()
        Task {
            try? await Task.sleep(for: .milliseconds(10))
            _ = queue.enqueue(1)
        }
        // Ends at the arrival, about 10 ms in; its 200 ms timer is still to fire.
        await queue.gather(1, within: .milliseconds(200), on: loop)
        Task {
            try? await Task.sleep(for: .milliseconds(600))
            _ = queue.enqueue(2)
        }
        let started = ContinuousClock.now
        await queue.gather(2, within: .seconds(30), on: loop)
        #expect(ContinuousClock.now - started >= .milliseconds(500))
        #expect(queue.take(upTo: 10) == [1, 2])
    }

    @Test("gather returns at once when enough are waiting, and closing the queue ends a gathering")
    func gatherAtOnceAndOnClose() async {
        let queue = WriterQueue<Int>()
        _ = queue.enqueue(1)
        _ = queue.enqueue(2)
        await queue.gather(2, within: .seconds(30), on: loop)
        Task {
            try? await Task.sleep(for: .milliseconds(20))
            queue.close()
        }
        let started = ContinuousClock.now
        await queue.gather(5, within: .seconds(30), on: loop)
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(!queue.enqueue(3))
        #expect(queue.take(upTo: 10) == [1, 2])
    }
}

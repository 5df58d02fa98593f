import Testing
@testable import Gateway

@Suite("FirstAnswer: the first of racing offers is kept")
struct FirstAnswerTests {
    @Test("an offer made before the wait is the value; later offers are dropped")
    func offerBeforeWait() async {
        let first = FirstAnswer<Int?>()
        first.offer(1)
        first.offer(2)
        first.offer(nil)
        #expect(await first.value == 1)
    }

    @Test("a waiter is woken by the first offer, whichever task makes it")
    func waiterWoken() async {
        let first = FirstAnswer<String?>()
        async let value = first.value
        Task {
            try? await Task.sleep(for: .milliseconds(20))
            first.offer(nil)
        }
        Task {
            try? await Task.sleep(for: .seconds(5))
            first.offer("too late")
        }
        #expect(await value == nil)
    }
}

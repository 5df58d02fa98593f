import Ledger
import Testing
@testable import Gateway

@Suite("Head handoff between batches in flight")
struct HeadHandoffTests {
    private func head(_ seq: Int64) -> ChainHead {
        ChainHead(seq: seq, hash: [UInt8](repeating: UInt8(seq), count: 32), tree: CompactRange())
    }

    @Test("the next batch waits for the head this one plans, then for its lock, and is given the head locked")
    func planThenLock() async {
        let handoff = HeadHandoff()
        async let planned = handoff.plannedHead()
        async let locked = handoff.lockedHead()
        handoff.plan(head(5))
        #expect(await planned?.isAt(head(5)) == true)
        handoff.lock(head(5))
        #expect(await locked?.isAt(head(5)) == true)
        // Once locked, both answer at once.
        #expect(await handoff.plannedHead()?.isAt(head(5)) == true)
        #expect(await handoff.lockedHead()?.isAt(head(5)) == true)
    }

    @Test("a plan withdrawn and made again on another head hands the next batch the head that was locked")
    func replanned() async {
        let handoff = HeadHandoff()
        handoff.plan(head(5))
        async let locked = handoff.lockedHead()
        handoff.withdraw()
        handoff.plan(head(4))
        handoff.lock(head(4))
        #expect(await locked?.isAt(head(4)) == true)
        #expect(await locked?.isAt(head(5)) == false)
    }

    @Test("a batch that ends without a lock releases every waiter with nothing, and ignores what comes after")
    func finishedWithoutLock() async {
        let handoff = HeadHandoff()
        async let planned = handoff.plannedHead()
        async let locked = handoff.lockedHead()
        async let ended: Void = handoff.finished()
        handoff.finish()
        #expect(await planned == nil)
        #expect(await locked == nil)
        await ended
        // A batch given up on (its deadline passed) may still plan or lock later: no one is told.
        handoff.plan(head(9))
        handoff.lock(head(9))
        handoff.finish()
        #expect(await handoff.lockedHead() == nil)
        #expect(await handoff.plannedHead() == nil)
    }
}

import Foundation
import StarfleetCore
import StarfleetTestSupport
import Testing

/// Issue 22 §2: an asynchronous event's attempts and age, decided on times read from a manual clock.
@Suite struct AsyncEventRuleTests {
    func rule(retries: Int = 2, age: Int = 60) -> AsyncEventRule {
        var settings = AsyncInvocationSettings()
        settings.maximumRetryAttempts = retries
        settings.maximumEventAgeSeconds = age
        return AsyncEventRule(settings)
    }

    @Test func anEventIsAttemptedOncePlusMaximumRetryAttempts() {
        let clock = ManualClock()
        let accepted = clock.now()
        let one = rule(retries: 1, age: 3600)
        #expect(one.afterFailure(attempt: 1, acceptedAt: accepted, now: clock.now(), delay: 5) == .retry(afterSeconds: 5))
        #expect(one.afterFailure(attempt: 2, acceptedAt: accepted, now: clock.now(), delay: 5) == .exhausted)
        let none = rule(retries: 0, age: 3600)
        #expect(none.afterFailure(attempt: 1, acceptedAt: accepted, now: clock.now(), delay: 5) == .exhausted)
    }

    @Test func anEventOlderThanItsAgeIsNotRunAgain() {
        let clock = ManualClock()
        let accepted = clock.now()
        let r = rule(age: 60)
        clock.advance(by: 60)
        #expect(!r.isExpired(acceptedAt: accepted, now: clock.now()), "exactly its age is not older than it")
        clock.advance(by: 0.5)
        #expect(r.isExpired(acceptedAt: accepted, now: clock.now()))
    }

    @Test func aRetryDueAfterTheEventExpiresWaitsForTheExpiryInstead() {
        let clock = ManualClock()
        let accepted = clock.now()
        let r = rule(retries: 2, age: 60)
        clock.advance(by: 20)
        // Due at 20 + 100 = 120 s > 60 s: it comes back a second after it expired, and is then discarded.
        #expect(r.afterFailure(attempt: 1, acceptedAt: accepted, now: clock.now(), delay: 100) == .retry(afterSeconds: 41))
        clock.advance(by: 41)
        #expect(r.isExpired(acceptedAt: accepted, now: clock.now()))
        // A retry due before the expiry keeps the worker's delay.
        #expect(r.afterFailure(attempt: 1, acceptedAt: accepted, now: accepted, delay: 30) == .retry(afterSeconds: 30))
    }
}

package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

  /** Withdraws retries until one is refused (or a million went); returns how many went. */
  private static int drain(RetryBudget budget) {
    int retries = 0;
    while (retries < 1_000_000 && budget.tryRetry()) {
      retries++;
    }
    return retries;
  }

  @Test
  void withoutRequestsOnlyTheFloorIsAvailable() {
    FakeTicker ticker = new FakeTicker();
    RetryBudget budget = RetryBudget.create(0.2, 10, ticker);
    assertThat(drain(budget)).isEqualTo(10);
    assertThat(budget.tryRetry()).isFalse();
    ticker.advance(Duration.ofSeconds(1));
    assertThat(drain(budget)).isEqualTo(10);
    ticker.advance(Duration.ofMillis(500));
    assertThat(drain(budget)).isEqualTo(5);
    ticker.advance(Duration.ofHours(1)); // the floor does not accumulate beyond a second's worth
    assertThat(drain(budget)).isEqualTo(10);
  }

  @Test
  void aThousandRequestsEarnTwoHundredRetriesPlusTheFloor() {
    FakeTicker ticker = new FakeTicker();
    RetryBudget budget = RetryBudget.create(0.2, 10, ticker);
    for (int i = 0; i < 1_000; i++) {
      budget.recordRequest();
    }
    assertThat(drain(budget)).isEqualTo(200 + 10);
  }

  @Test
  void theBalanceIsCappedAtTheDepositsOfAThousandRequests() {
    FakeTicker ticker = new FakeTicker();
    RetryBudget budget = RetryBudget.create(0.2, 10, ticker);
    for (int i = 0; i < 100_000; i++) {
      budget.recordRequest();
    }
    assertThat(budget)
        .hasToString("RetryBudget{retryRatio=0.2, minRetriesPerSecond=10, balance=200.0}");
    assertThat(drain(budget)).isEqualTo(200 + 10);

    RetryBudget tiny = RetryBudget.create(0.0001, 0, ticker); // cap: one retry, not 0.1
    for (int i = 0; i < 100_000; i++) {
      tiny.recordRequest();
    }
    assertThat(drain(tiny)).isEqualTo(1);
  }

  @Test
  void fractionsOfARetryAccumulate() {
    RetryBudget budget = RetryBudget.create(0.2, 0, new FakeTicker());
    List<Boolean> trace = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      budget.recordRequest();
      trace.add(budget.tryRetry());
    }
    assertThat(trace)
        .containsExactly(false, false, false, false, true, false, false, false, false, true);
  }

  @Test
  void retriesFollowRequestsDuringAnOutage() {
    FakeTicker ticker = new FakeTicker();
    RetryBudget budget = RetryBudget.create(0.2, 10, ticker);
    // 100 requests a second for 10 s, every one failing and retried until the budget says no.
    long retries = 0;
    for (int i = 0; i < 1_000; i++) {
      budget.recordRequest();
      retries += drain(budget);
      ticker.advance(Duration.ofMillis(10));
    }
    // 0.2 per request, plus the floor's 10 at once and 10 a second; the clock stops at 10 s.
    assertThat(retries).isLessThanOrEqualTo(200 + 10 + 10 * 10).isGreaterThanOrEqualTo(200 + 100);
  }

  @Test
  void aZeroRatioLeavesOnlyTheFloorAndAZeroFloorOnlyTheRatio() {
    FakeTicker ticker = new FakeTicker();
    RetryBudget floorOnly = RetryBudget.create(0, 3, ticker);
    for (int i = 0; i < 1_000; i++) {
      floorOnly.recordRequest();
    }
    assertThat(drain(floorOnly)).isEqualTo(3);

    RetryBudget ratioOnly = RetryBudget.create(0.5, 0, ticker);
    assertThat(ratioOnly.tryRetry()).isFalse();
    ticker.advance(Duration.ofHours(1));
    assertThat(ratioOnly.tryRetry()).isFalse();
    for (int i = 0; i < 10; i++) {
      ratioOnly.recordRequest();
    }
    assertThat(drain(ratioOnly)).isEqualTo(5);
  }

  /**
   * Race: 4 threads each record a request and then try two retries, 10,000 times, at a frozen
   * clock. Retries granted never exceed 0.2 of the requests plus the floor; and since the balance
   * never comes near its cap here, whatever was not granted is still there to drain, exactly.
   */
  @Test
  void retriesFromManyThreadsNeverExceedDepositsPlusFloor() throws InterruptedException {
    FakeTicker ticker = new FakeTicker();
    RetryBudget budget = RetryBudget.create(0.2, 10, ticker);
    long granted =
        onFourThreads(
            10_000,
            () -> {
              budget.recordRequest();
              return (budget.tryRetry() ? 1L : 0L) + (budget.tryRetry() ? 1L : 0L);
            });
    long allowed = 40_000 / 5 + 10;
    assertThat(granted).isLessThanOrEqualTo(allowed);
    assertThat(granted + drain(budget)).isEqualTo(allowed);
  }

  /** Runs {@code action} {@code times} times on each of 4 threads started together; sums it. */
  private static long onFourThreads(int times, LongSupplier action) throws InterruptedException {
    AtomicLong sum = new AtomicLong();
    CountDownLatch ready = new CountDownLatch(4);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      threads.add(
          new Thread(
              () -> {
                long mine = 0;
                ready.countDown();
                try {
                  ready.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int i = 0; i < times; i++) {
                  mine += action.getAsLong();
                }
                sum.addAndGet(mine);
              }));
    }
    threads.forEach(Thread::start);
    for (Thread thread : threads) {
      thread.join();
    }
    return sum.get();
  }

  /**
   * Race: 4 threads withdrawing at once from a large balance (100,000 retries earned by 1,000
   * requests at ratio 100), at a frozen clock: exactly the balance plus the floor goes out.
   */
  @Test
  void concurrentWithdrawalsHandOutExactlyTheBalancePlusFloor() throws InterruptedException {
    RetryBudget budget = RetryBudget.create(100, 10, new FakeTicker());
    for (int i = 0; i < 1_000; i++) {
      budget.recordRequest();
    }
    long granted = onFourThreads(50_000, () -> budget.tryRetry() ? 1 : 0);
    assertThat(granted).isEqualTo(100_000 + 10);
  }

  @Test
  void rejectsBadArgumentsWithTheValue() {
    Ticker ticker = new FakeTicker();
    assertThatThrownBy(() -> RetryBudget.create(-0.1, 10, ticker))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("retryRatio: -0.1 (expected: >= 0 and <= 1000.0)");
    assertThatThrownBy(() -> RetryBudget.create(1000.5, 10, ticker))
        .hasMessage("retryRatio: 1000.5 (expected: >= 0 and <= 1000.0)");
    assertThatThrownBy(() -> RetryBudget.create(Double.NaN, 10, ticker))
        .hasMessage("retryRatio: NaN (expected: >= 0 and <= 1000.0)");
    assertThatThrownBy(() -> RetryBudget.create(0.2, -1, ticker))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("minRetriesPerSecond: -1 (expected: >= 0 and <= 1000000000)");
    assertThatThrownBy(() -> RetryBudget.create(0.2, Integer.MAX_VALUE, ticker))
        .hasMessage("minRetriesPerSecond: 2147483647 (expected: >= 0 and <= 1000000000)");
    assertThatThrownBy(() -> RetryBudget.create(0.2, 10, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("ticker");
  }

  @Test
  void reportsItsConfiguration() {
    RetryBudget budget = RetryBudget.create(1000, 0, new FakeTicker());
    assertThat(budget.retryRatio()).isEqualTo(1000.0);
    assertThat(budget.minRetriesPerSecond()).isZero();
    budget.recordRequest();
    assertThat(drain(budget)).isEqualTo(1000);

    RetryBudget defaults = RetryBudget.defaults();
    assertThat(defaults.retryRatio()).isEqualTo(0.2);
    assertThat(defaults.minRetriesPerSecond()).isEqualTo(10);
    assertThat(defaults)
        .hasToString("RetryBudget{retryRatio=0.2, minRetriesPerSecond=10, balance=0.0}");
  }
}

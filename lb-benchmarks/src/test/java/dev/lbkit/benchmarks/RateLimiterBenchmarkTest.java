package dev.lbkit.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;

/**
 * The limiters are configured so that the benchmark measures the admit path: none refuses a long
 * run of back-to-back calls, far more than one measurement iteration makes per microsecond.
 */
class RateLimiterBenchmarkTest {

  private static final int CALLS = 1_000_000;

  private final RateLimiterBenchmark benchmark = new RateLimiterBenchmark();

  @Test
  void everyLimiterAdmitsAMillionCallsInARow() {
    benchmark.setUp();

    assertAdmitsAll("token bucket", benchmark::tokenBucketTryAcquire);
    assertAdmitsAll("Guava", benchmark::guavaTryAcquire);
    assertAdmitsAll("Bucket4j", benchmark::bucket4jTryConsume);
    assertAdmitsAll("Resilience4j", benchmark::resilience4jAcquirePermission);
    assertThatCode(benchmark::checkEveryCallWasAdmitted).doesNotThrowAnyException();
  }

  @Test
  void routesWithRateLimitsUseTheSameRateAndBurst() {
    assertThat(RateLimiterBenchmark.RATE).isEqualTo(1e9);
    assertThat((double) RateLimiterBenchmark.BURST).isEqualTo(RateLimiterBenchmark.RATE);
  }

  private static void assertAdmitsAll(String limiter, BooleanSupplier call) {
    int refused = 0;
    for (int i = 0; i < CALLS; i++) {
      if (!call.getAsBoolean()) {
        refused++;
      }
    }
    assertThat(refused).as(limiter + " refusals").isZero();
  }
}

package dev.lbkit.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.RandomSources;
import dev.lbkit.core.Server;
import dev.lbkit.core.testing.FakeClock;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * The max-ejection-percent cap holds across all three detectors together, whatever the outcomes:
 * after every outcome, at most {@code max(1, floor(n x percent / 100))} of n servers are out.
 * Thresholds are low so that every detector ejects often; fake time jumps at random, so ejections
 * end, servers come back on probation, and intervals close, quiet or not.
 */
class OutlierCapProperties {

  private static final IOException BOOM = new IOException("boom");

  @Property(tries = 100)
  void theCapIsNeverExceeded(
      @ForAll @IntRange(min = 2, max = 20) int n,
      @ForAll @IntRange(min = 1, max = 60) int percent,
      @ForAll @Size(min = 1, max = 400) List<@IntRange(min = 0) Integer> steps) {
    FakeClock clock = new FakeClock();
    List<Server> servers = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      servers.add(new Server("10.4.0." + (i + 1), 8080));
    }
    LoadBalancer lb = LoadBalancer.builder(servers).ticker(clock).build();
    OutlierDetector detector =
        OutlierDetector.builder()
            .consecutiveFailures(3)
            .baseEjectionTime(Duration.ofSeconds(3))
            .interval(Duration.ofSeconds(1))
            .successRateMinimumHosts(2)
            .successRateRequestVolume(4)
            .successRateStdevFactor(0.5)
            .failurePercentageMinimumHosts(2)
            .failurePercentageRequestVolume(4)
            .failurePercentageThreshold(50)
            .enforcingFailurePercentage(100)
            .maxEjectionPercent(percent)
            .random(RandomSources.seeded(n * 100L + percent))
            .build();
    detector.attach(lb);
    int cap = Math.max(1, n * percent / 100);
    for (int code : steps) {
      Server server = servers.get(code % n);
      if ((code / 32) % 4 != 0) {
        detector.recordFailure(server, BOOM); // three failures in four
      } else {
        detector.recordSuccess(server);
      }
      if ((code / 128) % 5 == 0) {
        clock.advance(Duration.ofMillis((code / 640) % 4_000));
      }
      long out = servers.stream().filter(lb::isEjected).count();
      assertThat(out).as("ejected of %d at %d%%", n, percent).isLessThanOrEqualTo(cap);
    }
  }
}

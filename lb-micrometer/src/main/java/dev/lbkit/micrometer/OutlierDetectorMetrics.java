package dev.lbkit.micrometer;

import dev.lbkit.core.Server;
import dev.lbkit.health.EjectionReason;
import dev.lbkit.health.OutlierDetector;
import dev.lbkit.health.OutlierListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Publishes what an {@link OutlierDetector} does as Micrometer meters.
 *
 * <pre>{@code
 * new OutlierDetectorMetrics(detector, "orders").bindTo(registry);
 * }</pre>
 *
 * <p>Meters, each tagged {@code detector} (the name given here):
 *
 * <ul>
 *   <li>{@code lbkit.outlier.ejections} (counter, tagged {@code reason=consecutive_failures|
 *       success_rate|failure_percentage}): ejections made, by the detector that found the outlier;
 *       all three are registered at bind, at zero
 *   <li>{@code lbkit.outlier.returns} (counter): ejections seen to end
 *   <li>{@code lbkit.outlier.ejected} (gauge): servers the detector ejected that are out now
 * </ul>
 *
 * <p>Counters are fed by an {@code OutlierListener} added on the first bind, on the thread that
 * reported the outcome, so they count from {@link #bindTo} on; a detector cannot drop a listener,
 * so a binder lives as long as its detector. The gauge costs O(n) per scrape for the n servers the
 * detector remembers. Thread-safe; a meter Micrometer refuses is logged and skipped. Binding to the
 * same registry again does nothing.
 */
public final class OutlierDetectorMetrics implements MeterBinder {

  private static final System.Logger LOG = System.getLogger(OutlierDetectorMetrics.class.getName());

  private final OutlierDetector detector;
  private final String name;
  private final Set<MeterRegistry> registries = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean listening = new AtomicBoolean();
  private final AtomicBoolean warned = new AtomicBoolean();

  /**
   * Creates a binder for {@code detector}, whose meters carry the tag {@code detector=name}.
   *
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code name} is blank
   */
  public OutlierDetectorMetrics(OutlierDetector detector, String name) {
    this.detector = Objects.requireNonNull(detector, "detector");
    this.name = MeterNames.checkName(name);
  }

  /**
   * Registers the meters in {@code registry} and feeds its counters from now on.
   *
   * @throws NullPointerException if {@code registry} is null
   */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    if (!registries.add(registry)) {
      return;
    }
    try {
      for (EjectionReason reason : EjectionReason.values()) {
        ejections(registry, reason);
      }
      returns(registry);
      Gauge.builder("lbkit.outlier.ejected", detector, d -> d.ejected().size())
          .description("servers the detector ejected that are out now")
          .tag("detector", name)
          .register(registry);
    } catch (RuntimeException e) {
      failed("registering its meters", e);
    }
    if (listening.compareAndSet(false, true)) {
      detector.addListener(new Listener());
    }
  }

  private Counter ejections(MeterRegistry registry, EjectionReason reason) {
    return Counter.builder("lbkit.outlier.ejections")
        .description("ejections made, by the detector that found the outlier")
        .tag("detector", name)
        .tag("reason", reason.name().toLowerCase(Locale.ROOT))
        .register(registry);
  }

  private Counter returns(MeterRegistry registry) {
    return Counter.builder("lbkit.outlier.returns")
        .description("ejections seen to end")
        .tag("detector", name)
        .register(registry);
  }

  private void failed(String when, RuntimeException e) {
    MeterNames.failed(LOG, warned, "outlier detector '" + name + "'", when, e);
  }

  /** Feeds every bound registry. */
  private final class Listener implements OutlierListener {
    @Override
    public void onEjected(Server server, EjectionReason reason, Duration duration) {
      for (MeterRegistry registry : registries) {
        try {
          ejections(registry, reason).increment();
        } catch (RuntimeException e) {
          failed("counting an ejection", e);
        }
      }
    }

    @Override
    public void onReturned(Server server) {
      for (MeterRegistry registry : registries) {
        try {
          returns(registry).increment();
        } catch (RuntimeException e) {
          failed("counting a return", e);
        }
      }
    }

    @Override
    public String toString() {
      return "OutlierDetectorMetrics '" + name + "'";
    }
  }

  @Override
  public String toString() {
    return "OutlierDetectorMetrics{" + name + ", " + registries.size() + " registries}";
  }
}
